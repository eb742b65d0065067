import type * as tfl from '@tensorflow/tfjs-layers';

/** TF.js classes of ours that stand for a Keras class of another name. */
const KERAS_CLASS: Record<string, string> = {
  LayerNormalizationLastAxis: 'LayerNormalization',
};

/** Keras' `naming.to_snake_case`: `BatchNormalization` → `batch_normalization`, `ReLU` → `re_lu`, `Conv2D` → `conv2d`. */
export function kerasSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/**
 * The object path under which Keras 3's `save_weights` stores each layer of a functional model:
 * `layers/<class in snake case>`, with `_1`, `_2`, … for later layers of the same class, in
 * `model.layers` order. This path, not the layer name, is what Keras 3 loads by.
 */
export function keras3LayerPaths(model: tfl.LayersModel): Map<tfl.layers.Layer, string> {
  const used = new Map<string, number>();
  const paths = new Map<tfl.layers.Layer, string>();
  for (const layer of model.layers) {
    const className = layer.getClassName();
    const base = kerasSnakeCase(KERAS_CLASS[className] ?? className);
    const n = used.get(base) ?? 0;
    used.set(base, n + 1);
    paths.set(layer, `layers/${n === 0 ? base : `${base}_${n}`}`);
  }
  return paths;
}
