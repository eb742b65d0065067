/** One weight array as a Keras file stores it. */
export interface H5Weight {
  /** The name in the layer group's `weight_names` (`stem_conv/kernel:0`), or `vars/0` in Keras 3 files. */
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface H5Layer {
  /** The layer's name: its group in `.h5` files, the `name` attribute of its `vars` in Keras 3 files. */
  name: string;
  weights: H5Weight[];
  /** Keras 3 files only: the object path (`layers/batch_normalization_3`) that Keras itself loads by. */
  path?: string;
  /** Set when the layer was a sublayer of a nested model's group (its name). */
  nestedIn?: string;
}

/**
 * `keras-model`: a whole model saved with `model.save(...h5)` (weights under `model_weights/`), as the
 * keras_cv_attention_models releases are. `keras-weights`: `model.save_weights(...h5)` (layer groups at
 * the root), as the keras.applications files are. `keras3-weights`: Keras 3's own `model.weights.h5`
 * (`layers/<path>/vars/0…`), alone or inside a `.keras` archive.
 */
export type KerasH5Layout = 'keras-model' | 'keras-weights' | 'keras3-weights';

export interface KerasH5Contents {
  layout: KerasH5Layout;
  layers: H5Layer[];
}

/** `stem_conv/kernel:0` → `kernel`; the part Keras and TF.js weight names share. */
export function shortWeightName(name: string): string {
  const last = name.split('/').pop() ?? name;
  return last.replace(/:\d+$/, '');
}
