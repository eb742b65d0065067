export type * from './types.js';
export { computeMetrics } from './metrics.js';
export { confusionMatrix, argmax } from './confusion-matrix.js';
export { precisionRecallF1, type PrecisionRecallF1 } from './classification-report.js';
export { rocCurve, rocAuc, precisionRecallCurve, averagePrecision } from './ranking.js';
export { bestF1Threshold, youdenThreshold } from './thresholds.js';
export { logLoss } from './log-loss.js';
