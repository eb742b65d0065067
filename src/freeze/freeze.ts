import type { LayersModel } from '@tensorflow/tfjs-layers';
import { eachNested, inferenceWhenFrozen, isBatchNorm } from './batch-norm.js';
import { countTrainableParams, countTrainableWeights } from './counts.js';
import { describeCoverage, describeFreeze } from './describe.js';
import { isEmptyFreezeSpec, selectFrozenLayers, type FreezeSpec } from './select.js';
import { modelStructure } from './structure.js';

type Layer = LayersModel['layers'][number];

export interface FreezeReport {
  /** Names of the layers the spec selects, in model order (already frozen ones included). */
  layers: string[];
  /** Their indices in `model.layers`. */
  indices: number[];
  /** Names of the layers whose `trainable` flag changed. */
  changed: string[];
  /** Trainable parameters before and after (Keras' "Trainable params"); `total` is every parameter. */
  params: { before: number; after: number; total: number };
  /** Trainable weight variables before and after (Keras' `len(model.trainable_weights)`); `total` is every variable. */
  variables: { before: number; after: number; total: number };
  /** "froze 318,336 of 27,591,937 parameters (1.2 %), 44 of 212 weight variables: layers 0–79, the stem, stage 1 and part of stage 2" */
  description: string;
}

function setTrainable(model: LayersModel, indices: number[], trainable: boolean): FreezeReport {
  const params = { before: countTrainableParams(model), after: 0, total: model.countParams() };
  const variables = { before: countTrainableWeights(model), after: 0, total: model.weights.length };
  const changed: string[] = [];
  for (const i of indices) {
    const layer: Layer = model.layers[i];
    eachNested(layer, (l) => {
      if (isBatchNorm(l)) inferenceWhenFrozen(l);
    });
    if (layer.trainable !== trainable) changed.push(layer.name);
    layer.trainable = trainable;
    // A nested model's sub-layers carry their own flags; keep them in step.
    eachNested(layer, (l) => (l.trainable = trainable));
  }
  params.after = countTrainableParams(model);
  variables.after = countTrainableWeights(model);
  const structure = modelStructure(model);
  const selected = new Set(indices);
  const sign = trainable ? -1 : 1;
  const description = describeFreeze(
    {
      frozenParams: sign * (params.before - params.after),
      totalParams: params.total,
      frozenVariables: sign * (variables.before - variables.after),
      totalVariables: variables.before,
    },
    indices,
    describeCoverage(structure, selected),
  );
  return {
    layers: indices.map((i) => model.layers[i].name),
    indices,
    changed,
    params,
    variables,
    description: trainable ? description.replace(/^froze/, 'unfroze') : description,
  };
}

/**
 * Freezes layers (call before `compile`/`fit`, as in Keras): by count, name, stage, block or the whole
 * backbone (see `FreezeSpec`). BatchNormalization layers inside frozen layers run in inference mode,
 * as in Keras. Returns what changed, in parameters and weight variables.
 */
export function freeze(model: LayersModel, spec: FreezeSpec): FreezeReport {
  return setTrainable(model, selectFrozenLayers(model, spec), false);
}

/** Makes layers trainable again: all of them when `spec` is empty, else those it selects. */
export function unfreeze(model: LayersModel, spec: FreezeSpec = {}): FreezeReport {
  const indices = isEmptyFreezeSpec(spec) ? model.layers.map((_, i) => i) : selectFrozenLayers(model, spec);
  return setTrainable(model, indices, true);
}
