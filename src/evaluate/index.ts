export type * from './types.js';
export { computeMetrics } from './metrics.js';
export { confusionMatrix, argmax } from './confusion-matrix.js';
export { precisionRecallF1, type PrecisionRecallF1 } from './classification-report.js';
export { rocCurve, rocAuc, precisionRecallCurve, averagePrecision, thinCurve } from './ranking.js';
export { bestF1Threshold, youdenThreshold } from './thresholds.js';
export { logLoss } from './log-loss.js';
export { classProbabilities, outputProbabilities } from './probabilities.js';
export {
  evaluate,
  predictDataset,
  type EvaluateOptions,
  type EvaluationResult,
  type Predictions,
} from './evaluate.js';
export { loadModelFromDir, readModelArtifacts } from './load-model.js';
export { readRunInputConfig, readSplitFiles, type RunInputConfig, type SplitFile } from './run-config.js';
export { filesDataset } from './files-dataset.js';
export { predictImages, expandImagePaths, type ImagePrediction } from './predict-images.js';
export {
  decodeSpecOf,
  runImageShape,
  decodeRunImage,
  pixelBatch,
  modelInput,
  pixelProbabilities,
  layersPredictor,
  inferImage,
  type ClassPredictor,
  type InferenceSettings,
  type ImageInference,
  type ImageInferenceOptions,
} from './inference.js';
export { gradCam, findFeatureLayer, type GradCamResult } from './grad-cam.js';
export { runGraph, type NodeOverride } from './graph-walk.js';
export { predictionsCsv, formatPredictions } from './format-predictions.js';
export { formatMetrics } from './format-metrics.js';
