export { lrFind, type LrFindOptions, type LrFindResult } from './lr-find.js';
export {
  suggestLearningRate,
  smoothLosses,
  SmoothedLoss,
  LR_RULES,
  LR_RULE_DESCRIPTIONS,
  type LrRule,
  type LrFindPoint,
} from './lr-suggest.js';
export {
  lrFindForConfig,
  lrFindHook,
  type LrFindRunResult,
  type LrFindRunOptions,
  type LrFindHookOptions,
} from './lr-find-run.js';
