import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { NativeAddon, NativePlan } from '../native/addon.js';
import { loadAddon } from '../native/addon.js';
import { outputFloats } from '../native/buffer-pool.js';
import { NATIVE, floatsOf, sizeOf } from '../native/kernel-utils.js';
import { bf16Compute } from '../precision.js';
import {
  describeGraph,
  FIELD,
  OP,
  RECORD,
  type BatchNormStats,
  type DescribeOptions,
  type Graph,
  type PlanOp,
} from './graph.js';
import { dropoutState } from './dropout-mask.js';

export interface PlanOptions extends DescribeOptions {
  /** The variables to train (default: the model's trainable weights); the others get no gradient. */
  trainable?: tf.Variable[];
}

export type PlanResult = { plan: TrainingPlan } | { plan?: undefined; reason: string };

/** Integers of the spec's header (native/src/plan.cc). */
const HEADER = 7;

interface GradientFlags {
  /** Per op: it computes its weights' gradient (some of them are trainable). */
  weight: boolean[];
  /** Per op and input: that input's gradient is needed (a trainable op lies below it). */
  edges: boolean[][];
}

function gradientFlags(ops: PlanOp[], trainable: Set<tf.Variable>): GradientFlags {
  const isTrainable = (w: PlanOp['kernel']) => w !== undefined && trainable.has(w.read() as tf.Variable);
  const weight = ops.map((op) => isTrainable(op.kernel) || isTrainable(op.bias));
  const needs: boolean[] = [];
  const edges = ops.map((op, i) => {
    const e = op.inputs.map((j) => j >= 0 && needs[j]);
    needs[i] = weight[i] || e.some(Boolean);
    return e;
  });
  return { weight, edges };
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

/** TF.js BatchNormalization's moving average, op for op: v − (v − batch) · (1 − momentum). */
function updateMoving(variable: BatchNormStats['movingMean'], batch: Float32Array, momentum: number): void {
  tf.tidy(() => {
    const value = variable.read();
    const delta = tf.mul(tf.sub(value, tf.tensor(batch, value.shape, 'float32')), 1 - momentum);
    variable.write(tf.sub(value, delta));
  });
}

/**
 * A training step planned once for a graph model: the forward and backward passes run natively in one
 * call each, with buffers and oneDNN primitives created once per batch size. Weights are read from the
 * model's variables every step (the optimizer replaces their storage), and weight gradients come back as
 * tensors for the optimizer, so every optimizer, schedule and checkpoint works as with the eager step.
 * BatchNormalization's moving statistics are updated from the batch's, as the eager layer does.
 */
export class TrainingPlan {
  private readonly natives = new Map<string, NativePlan>();
  private readonly flags: GradientFlags;
  private readonly gradientOwners: { op: number; slot: 0 | 1; variable: tf.Variable }[] = [];

  constructor(
    readonly graph: Graph,
    private readonly addon: NativeAddon,
    trainable: tf.Variable[],
  ) {
    const set = new Set(trainable);
    this.flags = gradientFlags(graph.ops, set);
    graph.ops.forEach((op, i) => {
      const pairs: [0 | 1, PlanOp['kernel']][] = [
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

  /** The planned ops in order, for one log line (runs of one kind counted). */
  describe(): string {
    const names = new Map<number, string>(Object.entries(OP).map(([k, v]) => [v, k]));
    const runs: { name: string; count: number }[] = [];
    for (const op of this.graph.ops) {
      const name = names.get(op.record[0]) ?? '?';
      const last = runs[runs.length - 1];
      if (last?.name === name) last.count++;
      else runs.push({ name, count: 1 });
    }
    const text = runs.map((r) => (r.count > 1 ? `${r.name}×${r.count}` : r.name)).join(' → ');
    return runs.length > 12 ? `${this.graph.ops.length} ops: ${text.slice(0, 160)}…` : text;
  }

  /** Per op: its layer, oneDNN implementation and wall milliseconds of the last forward and backward pass at batch size `n`. */
  profile(n: number): { layer: string; impl: string; forwardMs: number; backwardMs: number }[] {
    const plan = this.native(n);
    const impls = this.addon.planDescribe(plan);
    return this.addon.planTimes(plan).map(([forwardMs, backwardMs], i) => ({
      layer: this.graph.ops[i].layer,
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
      const { ops, outputs } = this.graph;
      const edges = ops.flatMap((op, i) => [
        op.inputs.length,
        ...op.inputs.flatMap((j, k) => [j, this.flags.edges[i][k] ? 1 : 0]),
      ]);
      const spec = new Int32Array(HEADER + ops.length * RECORD + edges.length + outputs.length);
      spec.set([n, ...this.graph.inputShape, bf16 ? 1 : 0, ops.length, outputs.length]);
      const floats = new Float32Array(2 * ops.length);
      ops.forEach((op, i) => {
        const r = [...op.record];
        r[FIELD.weightGradient] = this.flags.weight[i] ? 1 : 0;
        r[FIELD.inputGradient] = this.flags.edges[i].some(Boolean) ? 1 : 0;
        spec.set(r, HEADER + i * RECORD);
        floats.set(op.floats, 2 * i);
      });
      spec.set(edges, HEADER + ops.length * RECORD);
      spec.set(outputs, HEADER + ops.length * RECORD + edges.length);
      plan = this.addon.planCreate(spec, floats);
      this.natives.set(key, plan);
    }
    return plan;
  }

  /**
   * Four arrays per op: kernel and bias; for BatchNormalization gamma, beta, then the moving statistics
   * it normalises with (inference mode) or the arrays `batchStats` receives the batch's in.
   */
  private weightArrays(
    backend: MathBackendCPU,
    batchStats?: Map<number, Float32Array[]>,
  ): (Float32Array | null)[] {
    return this.graph.ops.flatMap((op, i) => {
      const [k, b] = [op.kernel, op.bias].map((w) => (w ? floats32(backend, w.read()) : null));
      const bn = op.batchNorm;
      if (!bn) return [k, b, null, null];
      if (bn.inference)
        return [k, b, floats32(backend, bn.movingMean.read()), floats32(backend, bn.movingVariance.read())];
      const stats = batchStats?.get(i) ?? [null, null];
      return [k, b, ...stats];
    });
  }

  /**
   * The model's outputs for a float32 batch `x` in training mode. Dropout masks are drawn here, in layer
   * order, exactly as `tf.dropout` draws them in the eager layers, and BatchNormalization's moving
   * statistics are updated.
   */
  forward(x: tf.Tensor): tf.Tensor[] {
    const n = x.shape[0];
    const backend = backendOf();
    const plan = this.native(n);
    const { ops, outputs } = this.graph;
    const masks = ops.map((op) => (op.dropout ? dropoutState(op.dropout) : null));
    const batchStats = new Map<number, Float32Array[]>();
    ops.forEach((op, i) => {
      if (op.batchNorm && !op.batchNorm.inference) {
        const c = op.outShape[op.outShape.length - 1];
        batchStats.set(i, [new Float32Array(c), new Float32Array(c)]);
      }
    });
    const shapes = outputs.map((o) => [n, ...ops[o].outShape]);
    const ys = shapes.map((s) => outputFloats(sizeOf(s)));
    this.addon.planForward(plan, floats32(backend, x), this.weightArrays(backend, batchStats), masks, ys);
    for (const [i, [mean, variance]] of batchStats) {
      const bn = ops[i].batchNorm as BatchNormStats;
      updateMoving(bn.movingMean, mean, bn.momentum);
      updateMoving(bn.movingVariance, variance, bn.momentum);
    }
    return ys.map((y, o) => tf.tensor(y, shapes[o], 'float32'));
  }

  /** Gradients of the trainable variables, by variable name, from the gradients `dys` of the last `forward`'s outputs. */
  backward(x: tf.Tensor, dys: tf.Tensor[]): tf.NamedTensorMap {
    const backend = backendOf();
    const plan = this.native(x.shape[0]);
    const grads: (Float32Array | null)[] = this.graph.ops.flatMap((op, i) =>
      [op.kernel, op.bias].map((w) =>
        w && this.flags.weight[i] ? outputFloats(sizeOf(w.shape as number[])) : null,
      ),
    );
    this.addon.planBackward(
      plan,
      floats32(backend, x),
      dys.map((dy) => floats32(backend, dy)),
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
 * Plans the training step of `model` when it is a graph of layers the native plan supports (on the
 * `native` backend); otherwise says why not in one line.
 */
export function planTrainingStep(model: LayersModel, options: PlanOptions = {}): PlanResult {
  if (tf.getBackend() !== NATIVE) return { reason: `the active backend is ${tf.getBackend()}, not native` };
  const { addon, error } = loadAddon();
  if (!addon) return { reason: error ?? 'the native addon is unavailable' };
  const described = describeGraph(model, options);
  if ('reason' in described) return { reason: described.reason };
  const trainable = options.trainable ?? model.trainableWeights.map((w) => w.read() as tf.Variable);
  const plan = new TrainingPlan(described.graph, addon, trainable);
  if (!plan.coversAll(trainable)) return { reason: 'some trainable weights are not in the planned graph' };
  return { plan };
}
