export { BatchReshape, type BatchReshapeArgs } from './batch-reshape.js';
export { BatchMatMul } from './batch-matmul.js';
export { SplitLastAxis, type SplitLastAxisArgs } from './split-last-axis.js';
export { ScaleByConstant, type ScaleByConstantArgs } from './scale-by-constant.js';
export type { BaseLayerArgs } from './layer-args.js';
export {
  LayerNormalizationLastAxis,
  type LayerNormalizationLastAxisArgs,
} from './layer-normalization-last-axis.js';
export { GeluActivation } from './gelu-activation.js';
export { Normalization, type NormalizationArgs } from './normalization.js';
export { LayerScale, type LayerScaleArgs } from './layer-scale.js';
export { ClassToken, FirstToken } from './class-token.js';
export { PositionalEmbedding } from './positional-embedding.js';
