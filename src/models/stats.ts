import { summarizeModel } from './summary.js';
import type { ModelSpec, ModelStats } from './types.js';

const cache = new Map<string, ModelStats>();

/** Parameters and forward FLOPs of a zoo model at its default input with its default top. */
export function modelStats(spec: ModelSpec): ModelStats {
  if (spec.stats) return spec.stats;
  const cached = cache.get(spec.name);
  if (cached) return cached;
  const model = spec.build({ initializeWeights: false });
  const s = summarizeModel(model);
  model.dispose();
  const stats = { params: s.totalParams, flops: s.flops };
  cache.set(spec.name, stats);
  return stats;
}
