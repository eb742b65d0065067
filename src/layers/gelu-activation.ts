import * as tf from '@tensorflow/tfjs-core';
// Loads tfjs-layers' activations, so that its `gelu` is registered before ours replaces it.
import '@tensorflow/tfjs-layers';
import { gelu } from '../engine/fused-ops.js';

type ActivationClass = (new () => { apply(x: tf.Tensor): tf.Tensor }) & { className: string };

const registered = tf.serialization.SerializationMap.getMap().classNameMap.gelu as unknown as
  [ActivationClass, unknown] | undefined;
if (!registered) throw new Error("tfjs-layers no longer registers a 'gelu' activation");
const TfjsGelu = registered[0];

/**
 * TF.js' `gelu` activation (exact erf form, as Keras' default), run as one fused op with its own
 * gradient where the backend has it. Registered under the same class name, so `activation: 'gelu'`
 * in code and in saved models resolves to it; the saved config is unchanged.
 */
export class GeluActivation extends TfjsGelu {
  static override className = 'gelu';

  override apply(x: tf.Tensor): tf.Tensor {
    return gelu(x);
  }
}

tf.serialization.registerClass(
  GeluActivation as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
);
