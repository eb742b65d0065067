import * as tf from '@tensorflow/tfjs-core';
import { VisionlabError } from '../errors.js';
import { defaultLearningRate, makeOptimizer, setLearningRate, type OptimizerSpec } from './optimizers.js';

type NamedTensor = { name: string; tensor: tf.Tensor };

export interface VariableGroup {
  /** Names of the `tf.Variable`s in the group (a layer weight's `read().name`). */
  variables: readonly string[];
  /** The group's learning rate is the optimizer's times this. */
  scale: number;
}

/** Adam keeps β1^t and β2^t in variables that its `getWeights` leaves out; saved here so a resume is exact. */
interface AdamPowers {
  accBeta1?: tf.Variable;
  accBeta2?: tf.Variable;
}

const POWERS = ['accBeta1', 'accBeta2'] as const;

/**
 * Discriminative learning rates (Howard & Ruder 2018): one inner optimizer of the same kind per group of
 * variables, each at the base learning rate times its group's scale. Variables in no group train at the
 * base rate. `learningRate`/`setLearningRate` move every group together (schedules, ReduceLROnPlateau),
 * and `getWeights`/`setWeights` carry every group's slots, so checkpoints and resume work as with one
 * optimizer.
 */
export class DiscriminativeOptimizer extends tf.Optimizer {
  static readonly className = 'DiscriminativeOptimizer';
  learningRate: number;
  readonly scales: number[];
  private readonly inner: tf.Optimizer[];
  private readonly groupOf = new Map<string, number>();

  constructor(spec: OptimizerSpec, groups: readonly VariableGroup[]) {
    super();
    for (const g of groups) {
      if (!(g.scale > 0)) throw new VisionlabError(`a learning-rate scale of ${g.scale}: give a number > 0`);
    }
    const lr = spec.learningRate ?? defaultLearningRate(spec.name);
    this.learningRate = lr;
    // The last group is the rest: every variable no group names.
    this.scales = [...groups.map((g) => g.scale), 1];
    groups.forEach((g, k) => g.variables.forEach((name) => this.groupOf.set(name, k)));
    this.inner = this.scales.map((s) => makeOptimizer({ ...spec, learningRate: lr * s }));
  }

  /** The learning rate each group trains at, in group order (the rest last). */
  groupLearningRates(): number[] {
    return this.scales.map((s) => this.learningRate * s);
  }

  setLearningRate(lr: number): void {
    this.learningRate = lr;
    this.inner.forEach((o, k) => setLearningRate(o, lr * this.scales[k]));
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const list: NamedTensor[] = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    const perGroup: NamedTensor[][] = this.inner.map(() => []);
    for (const g of list) perGroup[this.groupOf.get(g.name) ?? this.inner.length - 1].push(g);
    // Every inner optimizer steps every time (possibly with no variables), so all share one iteration count.
    this.inner.forEach((o, k) => o.applyGradients(perGroup[k]));
    this.incrementIterations();
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const out: NamedTensor[] = [await this.saveIterations()];
    for (const [k, o] of this.inner.entries()) {
      const [iter, ...slots] = await o.getWeights();
      iter.tensor.dispose();
      out.push(...slots.map((w) => ({ name: `group${k}/${w.name}`, tensor: w.tensor })));
      const adam = o as unknown as AdamPowers;
      for (const p of POWERS) {
        const v = adam[p];
        if (v) out.push({ name: `group${k}/${p}`, tensor: v });
      }
    }
    return out;
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    for (const [k, o] of this.inner.entries()) {
      const prefix = `group${k}/`;
      const mine = rest
        .filter((w) => w.name.startsWith(prefix))
        .map((w) => ({ name: w.name.slice(prefix.length), tensor: w.tensor }));
      const powers = mine.filter((w) => (POWERS as readonly string[]).includes(w.name));
      const slots = mine.filter((w) => !(POWERS as readonly string[]).includes(w.name));
      const iter = tf.scalar(this.iterations, 'int32');
      try {
        await o.setWeights([{ name: 'iter', tensor: iter }, ...slots]);
      } finally {
        iter.dispose();
      }
      const adam = o as unknown as AdamPowers;
      for (const p of powers) adam[p.name as (typeof POWERS)[number]]?.assign(p.tensor as tf.Scalar);
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, scales: this.scales };
  }

  override dispose(): void {
    this.inner.forEach((o) => o.dispose());
    super.dispose();
  }
}
