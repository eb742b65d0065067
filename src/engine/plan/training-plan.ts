import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { NativeAddon, NativePlan } from '../native/addon.js';
import { loadAddon } from '../native/addon.js';
import { outputFloats } from '../native/buffer-pool.js';
import { NATIVE, floatsOf, sizeOf } from '../native/kernel-utils.js';
import { bf16Compute } from '../precision.js';
import { describeChain, FIELD, OP, RECORD, type Chain, type ChainOp } from './chain.js';
import { dropoutState } from './dropout-mask.js';

export interface PlanOptions {
  /** The variables to train (default: the model's trainable weights); the others get no gradient. */
  trainable?: tf.Variable[];
}

export type PlanResult = { plan: TrainingPlan } | { plan?: undefined; reason: string };

/** Which gradients each op computes: its weights' (when trainable) and its input's (when a trainable op lies below). */
function gradientFlags(ops: ChainOp[], trainable: Set<tf.Variable>): { weight: boolean[]; input: boolean[] } {
  const weight = ops.map(
    (op) =>
      (op.kernel !== undefined && trainable.has(op.kernel.read() as tf.Variable)) ||
      (op.bias !== undefined && trainable.has(op.bias.read() as tf.Variable)),
  );
  const input = ops.map((_, i) => weight.slice(0, i).some(Boolean));
  return { weight, input };
}

function backendOf(): MathBackendCPU {
  return tf.backend() as MathBackendCPU;
}

function floats32(backend: MathBackendCPU, t: tf.Tensor): Float32Array {
  const values = floatsOf(backend, t);
  if (!(values instanceof Float32Array))
    throw new Error(`planned step: tensor ${t.id} is not held as float32`);
  return values;
}

/**
 * A training step planned once for a chain model: the forward and backward passes run natively in one
 * call each, with buffers and oneDNN primitives created once per batch size. Weights are read from the
 * model's variables every step (the optimizer replaces their storage), and weight gradients come back as
 * tensors for the optimizer, so every optimizer, schedule and checkpoint works as with the eager step.
 */
export class TrainingPlan {
  private readonly natives = new Map<string, NativePlan>();
  private readonly weight: boolean[];
  private readonly input: boolean[];
  private readonly gradientOwners: { op: number; slot: 0 | 1; variable: tf.Variable }[] = [];

  constructor(
    readonly chain: Chain,
    private readonly addon: NativeAddon,
    trainable: tf.Variable[],
  ) {
    const set = new Set(trainable);
    ({ weight: this.weight, input: this.input } = gradientFlags(chain.ops, set));
    chain.ops.forEach((op, i) => {
      const pairs: [0 | 1, ChainOp['kernel']][] = [
        [0, op.kernel],
        [1, op.bias],
      ];
      for (const [slot, w] of pairs) {
        const v = w?.read() as tf.Variable | undefined;
        if (v && set.has(v)) this.gradientOwners.push({ op: i, slot, variable: v });
      }
    });
  }

  /** The variables this plan computes gradients for, in the order given. */
  coversAll(trainable: tf.Variable[]): boolean {
    const covered = new Set(this.gradientOwners.map((g) => g.variable));
    return trainable.every((v) => covered.has(v));
  }

  /** The planned ops in order, for one log line. */
  describe(): string {
    const names = new Map<number, string>(Object.entries(OP).map(([k, v]) => [v, k]));
    return this.chain.ops.map((op) => names.get(op.record[0])).join(' → ');
  }

  /** Per op: its layer, oneDNN implementation and wall milliseconds of the last forward and backward pass at batch size `n`. */
  profile(n: number): { layer: string; impl: string; forwardMs: number; backwardMs: number }[] {
    const plan = this.native(n);
    const impls = this.addon.planDescribe(plan);
    return this.addon.planTimes(plan).map(([forwardMs, backwardMs], i) => ({
      layer: this.chain.ops[i].layer,
      impl: impls[i],
      forwardMs,
      backwardMs,
    }));
  }

  private native(n: number): NativePlan {
    const bf16 = bf16Compute();
    const key = `${n}:${bf16 ? 'bf16' : 'fp32'}`;
    let plan = this.natives.get(key);
    if (!plan) {
      const ops = this.chain.ops;
      const spec = new Int32Array(6 + ops.length * RECORD);
      spec.set([n, ...this.chain.inputShape, bf16 ? 1 : 0, ops.length]);
      const floats = new Float32Array(2 * ops.length);
      ops.forEach((op, i) => {
        const r = [...op.record];
        r[FIELD.weightGradient] = this.weight[i] ? 1 : 0;
        r[FIELD.inputGradient] = this.input[i] ? 1 : 0;
        spec.set(r, 6 + i * RECORD);
        floats.set(op.floats, 2 * i);
      });
      plan = this.addon.planCreate(spec, floats);
      this.natives.set(key, plan);
    }
    return plan;
  }

  private weightArrays(backend: MathBackendCPU): (Float32Array | null)[] {
    return this.chain.ops.flatMap((op) =>
      [op.kernel, op.bias].map((w) => (w ? floats32(backend, w.read()) : null)),
    );
  }

  /**
   * The model's output for a float32 batch `x` in training mode. Dropout masks are drawn here, in layer
   * order, exactly as `tf.dropout` draws them in the eager layers.
   */
  forward(x: tf.Tensor): tf.Tensor {
    const n = x.shape[0];
    const backend = backendOf();
    const plan = this.native(n);
    const masks = this.chain.ops.map((op) => (op.dropout ? dropoutState(op.dropout) : null));
    const outShape = [n, ...this.chain.ops[this.chain.ops.length - 1].outShape];
    const y = outputFloats(sizeOf(outShape));
    this.addon.planForward(plan, floats32(backend, x), this.weightArrays(backend), masks, y);
    return tf.tensor(y, outShape, 'float32');
  }

  /** Gradients of the trainable variables, by variable name, from the gradient `dy` of the last `forward`'s output. */
  backward(x: tf.Tensor, dy: tf.Tensor): tf.NamedTensorMap {
    const backend = backendOf();
    const plan = this.native(x.shape[0]);
    const grads: (Float32Array | null)[] = this.chain.ops.flatMap((op, i) =>
      [op.kernel, op.bias].map((w) =>
        w && this.weight[i] ? outputFloats(sizeOf(w.shape as number[])) : null,
      ),
    );
    this.addon.planBackward(
      plan,
      floats32(backend, x),
      floats32(backend, dy),
      this.weightArrays(backend),
      grads,
    );
    const named: tf.NamedTensorMap = {};
    for (const g of this.gradientOwners) {
      const values = grads[2 * g.op + g.slot] as Float32Array;
      named[g.variable.name] = tf.tensor(values, g.variable.shape, 'float32');
    }
    return named;
  }
}

/**
 * Plans the training step of `model` when it is a single chain of layers the native plan supports
 * (on the `native` backend); otherwise says why not in one line.
 */
export function planTrainingStep(model: LayersModel, options: PlanOptions = {}): PlanResult {
  if (tf.getBackend() !== NATIVE) return { reason: `the active backend is ${tf.getBackend()}, not native` };
  const { addon, error } = loadAddon();
  if (!addon) return { reason: error ?? 'the native addon is unavailable' };
  const described = describeChain(model);
  if ('reason' in described) return { reason: described.reason };
  const trainable = options.trainable ?? model.trainableWeights.map((w) => w.read() as tf.Variable);
  const plan = new TrainingPlan(described.chain, addon, trainable);
  if (!plan.coversAll(trainable)) return { reason: 'some trainable weights are not in the planned chain' };
  return { plan };
}
