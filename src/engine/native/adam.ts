// Adam in one pass on the `native` backend. TF.js's AdamOptimizer updates each weight through a
// dozen element-wise kernels (each allocating a full-size tensor); on the reduced AlexNet that was
// a fifth of a training step. The patched `applyGradients` computes the same float32 operations in
// one native loop, and defers to TF.js's own code on every other backend.
//
// Weights and moments whose arrays nothing but their variable can see (made by the native kernels,
// never read out, one tensor on the data) are updated in place, all in one native call; the others
// (the first step, weights just loaded or read) go through a kernel that writes new arrays. In place
// saves three weight-sized arrays a step: 330 MB of fresh memory on DaViT-T.
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './addon.js';
import { outputFloats, outputPool } from './buffer-pool.js';
import { bf16Copies } from './bf16-copies.js';
import { NATIVE } from './kernel-utils.js';

const KERNEL = 'VisionlabAdamUpdate';

interface Moment {
  originalName: string;
  variable: tf.Variable;
}

/** The AdamOptimizer fields this update reads (TypeScript-private in tfjs-core, public at run time). */
interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: (Moment | undefined)[];
  accumulatedSecondMoment: (Moment | undefined)[];
  incrementIterations(): void;
}

type Gradients = tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[];

function floats(backend: MathBackendCPU, t: tf.TensorInfo): Float32Array {
  const values = backend.data.get(t.dataId).values;
  return values instanceof Float32Array
    ? values
    : Float32Array.from(backend.readSync(t.dataId) as ArrayLike<number>);
}

function registerAdamKernel(addon: NativeAddon): void {
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: NATIVE,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const cpu = backend as MathBackendCPU;
      const { value, gradient, m, v } = inputs as Record<string, tf.TensorInfo>;
      const n = tf.util.sizeFromShape(value.shape);
      // Copies of the weight and moments, then the same update as in place.
      const out = [value, m, v].map((t) => {
        const copy = outputFloats(n);
        copy.set(floats(cpu, t));
        return copy;
      });
      addon.adamInPlace(
        [out[0]],
        [floats(cpu, gradient)],
        [out[1]],
        [out[2]],
        Int32Array.of(n),
        Float32Array.from((attrs as { hyper: number[] }).hyper),
      );
      return out.map((values) => cpu.makeTensorInfo([...value.shape], 'float32', values));
    },
  });
}

/** The array behind `t` when writing into it changes nothing but `t` itself, else undefined. */
function privateArray(backend: MathBackendCPU, t: tf.Tensor): Float32Array | undefined {
  const data = backend.data.get(t.dataId);
  if (!data || data.refCount !== 1 || !outputPool.owns(data.values)) return undefined;
  return data.values;
}

/** Variables updated in one in-place call: their arrays, in the addon's argument order. */
class InPlaceBatch {
  readonly values: Float32Array[] = [];
  readonly gradients: Float32Array[] = [];
  readonly m: Float32Array[] = [];
  readonly v: Float32Array[] = [];

  /** Takes the variable when all three of its arrays are private (and the gradient is none of them). */
  add(backend: MathBackendCPU, value: tf.Tensor, gradient: tf.Tensor, m: tf.Tensor, v: tf.Tensor): boolean {
    if (gradient.dtype !== 'float32') return false;
    const arrays = [privateArray(backend, value), privateArray(backend, m), privateArray(backend, v)];
    const g = backend.data.get(gradient.dataId)?.values;
    if (!(g instanceof Float32Array) || arrays.some((a) => a === undefined || a.buffer === g.buffer))
      return false;
    const [w, mw, vw] = arrays as Float32Array[];
    if (g.length !== w.length) return false;
    this.values.push(w);
    this.gradients.push(g);
    this.m.push(mw);
    this.v.push(vw);
    return true;
  }

  run(addon: NativeAddon, hyper: number[]): void {
    if (this.values.length === 0) return;
    const sizes = Int32Array.from(this.values, (a) => a.length);
    addon.adamInPlace(this.values, this.gradients, this.m, this.v, sizes, Float32Array.from(hyper));
    bf16Copies.written(this.values);
  }
}

let installed = false;

/** Registers the fused update and routes AdamOptimizer through it while `native` is the backend. */
export function installFusedAdam(addon: NativeAddon): void {
  if (installed) return;
  installed = true;
  registerAdamKernel(addon);
  const proto = tf.AdamOptimizer.prototype as unknown as { applyGradients(g: Gradients): void };
  const original = proto.applyGradients;
  proto.applyGradients = function (this: AdamInternals, variableGradients: Gradients): void {
    if (tf.getBackend() !== NATIVE || process.env.VISIONLAB_FUSED_ADAM === '0') {
      return original.call(this, variableGradients);
    }
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    const accBeta1 = this.accBeta1.dataSync()[0];
    const accBeta2 = this.accBeta2.dataSync()[0];
    // The constants as TF.js makes them: JS doubles rounded to float32 scalars.
    const hyper = Array.from(
      Float32Array.from([
        this.beta1,
        this.beta2,
        1 - this.beta1,
        1 - this.beta2,
        1 - accBeta1,
        1 - accBeta2,
        -this.learningRate,
        this.epsilon,
      ]),
    );
    const backend = tf.backend() as MathBackendCPU;
    const inPlace = new InPlaceBatch();
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        const zeros = (suffix: string): Moment => ({
          originalName: `${name}/${suffix}`,
          variable: tf.tidy(() => tf.variable(tf.zerosLike(value), false)),
        });
        this.accumulatedFirstMoment[i] ??= zeros('m');
        this.accumulatedSecondMoment[i] ??= zeros('v');
        const gradient = Array.isArray(variableGradients)
          ? variableGradients[i].tensor
          : variableGradients[name];
        if (gradient == null) return;
        const m = (this.accumulatedFirstMoment[i] as Moment).variable;
        const v = (this.accumulatedSecondMoment[i] as Moment).variable;
        if (inPlace.add(backend, value, gradient, m, v)) return;
        const [newValue, newM, newV] = tf
          .engine()
          .runKernel(KERNEL, { value, gradient, m, v }, { hyper }) as tf.Tensor[];
        m.assign(newM);
        v.assign(newV);
        value.assign(newValue);
      });
      inPlace.run(addon, hyper);
      this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
      this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
    });
    this.incrementIterations();
  };
}
