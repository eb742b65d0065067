import * as tfl from '@tensorflow/tfjs-layers';

/** The constructor arguments every Keras layer accepts (`name`, `trainable`, `dtype`...). */
export type BaseLayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

export function singleShape(shape: tfl.Shape | tfl.Shape[]): tfl.Shape {
  return Array.isArray(shape[0]) ? (shape as tfl.Shape[])[0] : (shape as tfl.Shape);
}

export function singleTensor<T>(inputs: T | T[]): T {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}
