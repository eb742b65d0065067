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
export {
  freezeSearch,
  bestFreezeConfig,
  gradualPhases,
  SEARCH_STRATEGIES,
  type SearchStrategy,
  type FreezeSearchOptions,
  type FreezeSearchResult,
  type FreezeSearchRow,
} from './freeze-search.js';
export {
  freezeCandidates,
  type FreezeCandidate,
  type CandidateFreeze,
  type CandidateMode,
} from './candidates.js';
export {
  successiveHalving,
  byValidationLoss,
  type HalvingOptions,
  type Rung,
  type TrialOutcome,
} from './halving.js';
export {
  InProcessExecutor,
  EpochTimer,
  trialReport,
  type TrialExecutor,
  type TrialRequest,
  type TrialReport,
} from './executor.js';
export { SEARCH_FILE, type SearchState } from './search-state.js';
export { formatFreezeSearchTable } from './search-table.js';
export {
  autoRgn,
  relativeGradientNorm,
  type AutoRgnOptions,
  type AutoRgnResult,
  type LayerGradientNorms,
  type UnitRgn,
} from './auto-rgn.js';
export { rankByRgn, type RankedCandidate } from './rank-candidates.js';
export { ProcessExecutor, type ProcessExecutorOptions, type WorkerMessage } from './process-executor.js';
