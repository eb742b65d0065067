/** One weight array as a Keras HDF5 file stores it. */
export interface H5Weight {
  /** The name in the layer group's `weight_names`, e.g. `stem_conv/kernel:0`. */
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface H5Layer {
  name: string;
  weights: H5Weight[];
}

/**
 * `keras-model`: a whole model saved with `model.save(...h5)` (weights under `model_weights/`), as the
 * keras_cv_attention_models releases are. `keras-weights`: `model.save_weights(...h5)` (layer groups at
 * the root), as the keras.applications files are.
 */
export type KerasH5Layout = 'keras-model' | 'keras-weights';

export interface KerasH5Contents {
  layout: KerasH5Layout;
  layers: H5Layer[];
}

/** `stem_conv/kernel:0` → `kernel`; the part Keras and TF.js weight names share. */
export function shortWeightName(name: string): string {
  const last = name.split('/').pop() ?? name;
  return last.replace(/:\d+$/, '');
}
