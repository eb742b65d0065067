export { startServer } from './server.js';
export type { ServeOptions, DashboardServer } from './server.js';
export { RunModelCache } from './run-model.js';
export type { RunPredictResult, ClassProbability } from './run-model.js';
export { compareCurvesSpec, runCurvesSpec } from './chart-specs.js';
export { compareRuns, type RunsComparison, type ComparisonRow } from './compare-runs.js';
export { DEFAULT_MAX_UPLOAD_BYTES, sniffImageFormat } from './image-upload.js';
