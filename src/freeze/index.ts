export { freeze, unfreeze, type FreezeReport } from './freeze.js';
export { selectFrozenLayers, isEmptyFreezeSpec, type FreezeSpec } from './select.js';
export { modelStructure, type ModelStructure, type LayerPlace, type LayerPart } from './structure.js';
export { countTrainableWeights, countTrainableParams } from './counts.js';
export { formatIndexRanges } from './describe.js';
export {
  splitFrozenPrefix,
  innerPrefixCuts,
  innerPrefix,
  type FrozenPrefixSplit,
  type InnerPrefix,
} from './frozen-prefix.js';
