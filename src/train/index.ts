export type * from './types.js';
export { fit, type FitOptions, type FitResult, type StopReason } from './fit.js';
export { evaluateLosses } from './evaluate-losses.js';
export { CallbackList } from './callbacks/callback-list.js';
export { InterruptRequest } from './interrupt.js';
export {
  Callback,
  resolveMode,
  type Logs,
  type TrainingContext,
  type CallbackState,
  type MonitorMode,
} from './callbacks/callback.js';
export {
  MonitorCallback,
  MONITOR_DEFAULTS,
  type MonitorOptions,
  type MonitorDefaults,
} from './callbacks/monitor-callback.js';
export {
  CALLBACK_ENTRIES,
  CALLBACK_FLAGS,
  buildConfiguredCallbacks,
  type CallbackConfig,
  type CallbackConfigKey,
  type CallbackFlag,
} from './callbacks/registry.js';
export { callbackEntry, withDefaults, type CallbackEntry, type CallbackRunInfo } from './callbacks/entry.js';
export {
  EarlyStopping,
  EARLY_STOPPING_DEFAULTS,
  type EarlyStoppingOptions,
} from './callbacks/early-stopping.js';
export {
  ReduceLROnPlateau,
  REDUCE_LR_DEFAULTS,
  type ReduceLROnPlateauOptions,
} from './callbacks/reduce-lr-on-plateau.js';
export { TerminateOnNaN } from './callbacks/terminate-on-nan.js';
export {
  ModelCheckpoint,
  MODEL_CHECKPOINT_DEFAULTS,
  formatFilepath,
  type ModelCheckpointOptions,
} from './callbacks/model-checkpoint.js';
export { CSVLogger, type CSVLoggerOptions } from './callbacks/csv-logger.js';
export {
  LearningRateScheduler,
  LR_SCHEDULE_DEFAULTS,
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
  defaultLearningRate,
  OPTIMIZER_NAMES,
  type OptimizerName,
  type OptimizerSpec,
} from './optimizers.js';
export {
  PrefixFeatureStore,
  prefixFeatureKeys,
  clearPrefixFeatureMemory,
  type PrefixFeatureStoreOptions,
} from './prefix-feature-store.js';
export { FrozenFeatureDataset, frozenFeatures, type FeatureStoreSlot } from './feature-cache.js';
export { DiscriminativeOptimizer, type VariableGroup } from './discriminative-optimizer.js';
export { discriminativeGroups, ULMFIT_LR_FACTOR, type DiscriminativeLr } from './layer-groups.js';
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
export {
  TrainingState,
  readTrainingCheckpoint,
  saveTrainingState,
  loadTrainingState,
  type TrainingCheckpoint,
  type TrainingParts,
} from './training-state.js';
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
