import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { VisionlabError } from '../errors.js';
import { modelStructure, type LayerPlace } from '../freeze/structure.js';
import type { VariableGroup } from './discriminative-optimizer.js';

/** ULMFiT's factor (Howard & Ruder 2018): each group down from the head trains at the rate above ÷ 2.6. */
export const ULMFIT_LR_FACTOR = 2.6;

export interface DiscriminativeLr {
  /** Groups: the backbone's stages or its blocks (the stem one more group below the first). */
  unit: 'stages' | 'blocks';
  /** Group k counted from the head (the head and the top layers are 0) trains at lr / factor^k. */
  factor: number;
}

/** How many groups below the head a layer sits: 0 for the head and the top, 1 for the last stage (block), …, the stem last. */
function depthFromHead(place: LayerPlace, unit: DiscriminativeLr['unit'], count: number): number {
  if (place.part === 'head' || place.part === 'top') return 0;
  if (place.part === 'input' || place.part === 'stem') return count + 1;
  const position = unit === 'stages' ? place.stage : place.globalBlock;
  return position === null ? 0 : count - position + 1;
}

/**
 * Variable groups for `DiscriminativeOptimizer`: the trainable weights of each stage (or block), the
 * head's at the full rate and each group below at the rate above divided by `factor`.
 */
export function discriminativeGroups(model: LayersModel, options: DiscriminativeLr): VariableGroup[] {
  const structure = modelStructure(model);
  if (structure.family === null) {
    throw new VisionlabError(
      `discriminative learning rates need a model whose layer names show its stages; the layers of "${model.name}" do not`,
      'Use one learning rate (drop the discriminative rates), or a backbone from the zoo.',
    );
  }
  if (!(options.factor >= 1)) {
    throw new VisionlabError(`a discriminative learning-rate factor of ${options.factor}: give a number ≥ 1`);
  }
  const count = options.unit === 'stages' ? structure.stages : structure.blocks;
  const byDepth = new Map<number, string[]>();
  structure.layers.forEach((place) => {
    const names = model.layers[place.index].trainableWeights.map((w) => (w.read() as tf.Variable).name);
    if (names.length === 0) return;
    const depth = depthFromHead(place, options.unit, count);
    byDepth.set(depth, [...(byDepth.get(depth) ?? []), ...names]);
  });
  return [...byDepth.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([depth, variables]) => ({ variables, scale: options.factor ** -depth }));
}
