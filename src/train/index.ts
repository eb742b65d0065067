export type * from './types.js';
export { fit, evaluateLosses, type FitOptions, type FitResult, type StopReason } from './fit.js';
export {
  Callback,
  resolveMode,
  type Logs,
  type TrainingContext,
  type CallbackState,
  type MonitorMode,
} from './callbacks/callback.js';
export { MonitorCallback, type MonitorOptions } from './callbacks/monitor-callback.js';
export { EarlyStopping, type EarlyStoppingOptions } from './callbacks/early-stopping.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './callbacks/reduce-lr-on-plateau.js';
export { TerminateOnNaN } from './callbacks/terminate-on-nan.js';
export {
  ModelCheckpoint,
  formatFilepath,
  type ModelCheckpointOptions,
} from './callbacks/model-checkpoint.js';
export { CSVLogger, type CSVLoggerOptions } from './callbacks/csv-logger.js';
export {
  LearningRateScheduler,
  cosineDecay,
  linearWarmup,
  type Schedule,
  type CosineDecayOptions,
} from './callbacks/learning-rate-scheduler.js';
export { ProgbarLogger, type ProgbarLoggerOptions } from './callbacks/progbar-logger.js';
export {
  makeOptimizer,
  getLearningRate,
  setLearningRate,
  OPTIMIZER_NAMES,
  type OptimizerName,
  type OptimizerSpec,
} from './optimizers.js';
export { defaultLossFor, perExampleLoss, perExampleCorrect, type LossName } from './losses.js';
export { setRandomSeed, getRandomState, setRandomState, unsetRandomSeed } from './random.js';
export {
  saveModel,
  loadModel,
  saveWeights,
  loadWeights,
  directorySaveHandler,
  directoryLoadHandler,
} from './model-io.js';
export { saveTrainingState, loadTrainingState, type TrainingCheckpoint } from './training-state.js';
export { formatHistoryCsv, historyColumns, HISTORY_COLUMNS } from './history-csv.js';
export {
  RUN_FILES,
  runFile,
  isValidRunName,
  runDirFor,
  resolveRunDir,
  readRunConfig,
  readStatus,
  loadRunModel,
  sweepRunTempFiles,
  type RunFileKey,
} from './run-folder.js';
export { saveRun, type SaveRunOptions } from './save-run.js';
export {
  trainConfigSchema,
  parseTrainConfig,
  readConfigFile,
  type TrainConfig,
  type TrainConfigInput,
} from './config.js';
export {
  trainRun,
  runDirectory,
  type TrainRunHooks,
  type TrainRunResult,
  type FindLearningRateArgs,
} from './run-training.js';
export { demoDataDir } from './package-root.js';
export { preprocessDataset } from './preprocess-dataset.js';
export { splitValidation } from './validation-split.js';
export { loadOrBuildModel, type NamedModel } from './load-or-build-model.js';
