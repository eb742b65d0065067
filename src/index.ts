export * from './errors.js';
export * from './engine/backend.js';
export * from './engine/precision.js';
export { gelu, layerNormLastAxis } from './engine/fused-ops.js';
// The planned training step; its dropout-mask helpers stay internal (tests import them from engine/plan).
export {
  describeGraph,
  planTrainingStep,
  TrainingPlan,
  type Graph,
  type GraphResult,
  type PlanOp,
  type PlanOptions,
  type PlanResult,
} from './engine/plan/index.js';
export * from './data/index.js';
export * from './models/index.js';
export * from './layers/index.js';
export * from './freeze/index.js';
export * from './weights/index.js';
export * from './train/index.js';
export * from './evaluate/index.js';
export * from './tune/index.js';
export * from './flags/index.js';
export * from './report/index.js';
export * from './track/index.js';
export * from './serve/index.js';
export { writeFileAtomic } from './util/atomic-write.js';
export * from './export/index.js';
