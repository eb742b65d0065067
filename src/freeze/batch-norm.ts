import type { LayersModel } from '@tensorflow/tfjs-layers';

type Layer = LayersModel['layers'][number];

const INFERENCE_PATCHED = Symbol('visionlab.frozenBatchNorm');

interface CallableLayer {
  call(inputs: unknown, kwargs: Record<string, unknown>): unknown;
  [INFERENCE_PATCHED]?: true;
}

/**
 * Makes a BatchNormalization layer run in inference mode while it is not trainable, as Keras does
 * (TF.js' layer keys only on the `training` flag, so a frozen layer would otherwise still normalise
 * with batch statistics and update its moving averages).
 */
export function inferenceWhenFrozen(layer: Layer): void {
  const target = layer as unknown as CallableLayer;
  if (target[INFERENCE_PATCHED]) return;
  const call = target.call.bind(layer);
  target.call = (inputs, kwargs) => call(inputs, layer.trainable ? kwargs : { ...kwargs, training: false });
  target[INFERENCE_PATCHED] = true;
}

/** Whether a BatchNormalization layer runs in inference mode in training: frozen through `inferenceWhenFrozen`. */
export function runsInInference(layer: Layer): boolean {
  return !layer.trainable && (layer as unknown as CallableLayer)[INFERENCE_PATCHED] === true;
}

/** Visits a layer and, for a nested model, every layer inside it. */
export function eachNested(layer: Layer, visit: (l: Layer) => void): void {
  visit(layer);
  const inner = (layer as unknown as { layers?: Layer[] }).layers;
  if (Array.isArray(inner)) for (const l of inner) eachNested(l, visit);
}

export const isBatchNorm = (layer: Layer): boolean => layer.getClassName() === 'BatchNormalization';
