// `node --import tsx bench/profile-plan.ts [small_cnn|alexnet_mini] [batch] [fp32|bf16]`: where a planned
// training step spends its time. Times the parts of `plannedTrainStep` one by one (dropout masks, the
// native forward and backward calls, the loss and its gradient, the optimizer) and prints each planned
// op's oneDNN implementation and wall time (median over the timed steps).
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/backend.js';
import { planTrainingStep } from '../src/engine/plan/index.js';
import { parsePrecision, withPrecision } from '../src/engine/precision.js';
import { buildAlexnetMini } from '../src/models/alexnet-mini.js';
import { buildSmallCnn } from '../src/models/small-cnn.js';
import { perExampleLoss } from '../src/train/losses.js';
import { makeOptimizer } from '../src/train/optimizers.js';
import { median } from './model-timing.js';

const name = process.argv[2] ?? 'small_cnn';
const batch = Number(process.argv[3] ?? (name === 'small_cnn' ? 64 : 16));
const precision = parsePrecision(process.argv[4] ?? 'fp32');
await initBackend();

const small = name === 'small_cnn';
const model = small
  ? buildSmallCnn({ inputShape: [28, 28, 1], classes: 10 })
  : buildAlexnetMini({ inputShape: [280, 280, 3] });
const result = planTrainingStep(model);
if (!result.plan) throw new Error(`not planned: ${result.reason}`);
const plan = result.plan;
const shape = small ? [batch, 28, 28, 1] : [batch, 280, 280, 3];
const x = tf.randomUniform(shape, 0, small ? 255 : 1);
const labels = tf.tensor1d(
  Array.from({ length: batch }, (_, i) => (small ? i % 10 : i % 2)),
  'int32',
);
const loss = small ? 'sparseCategoricalCrossentropy' : 'binaryCrossentropy';
const optimizer = makeOptimizer('adam');
const parts: Record<string, number[]> = {};
const timed = <T>(part: string, fn: () => T): T => {
  const t0 = performance.now();
  const out = fn();
  (parts[part] ??= []).push(performance.now() - t0);
  return out;
};
const steps = small ? 40 : 6;
const warmup = small ? 10 : 2;
const ops: Record<string, { impl: string; f: number[]; b: number[] }> = {};
await withPrecision(precision, async () => {
  for (let i = 0; i < warmup + steps; i++) {
    const [y] = timed('forward (masks included)', () => plan.forward(x));
    const { value, grad } = timed('loss and its gradient', () =>
      tf.valueAndGrad((out: tf.Tensor) => tf.mean(perExampleLoss(loss, out, labels)) as tf.Scalar)(y),
    );
    const grads = timed('backward', () => plan.backward(x, [grad]));
    timed('optimizer', () => optimizer.applyGradients(grads));
    tf.dispose([y, value, grad, ...Object.values(grads)]);
    if (i < warmup) {
      for (const k of Object.keys(parts)) parts[k] = [];
      continue;
    }
    plan.profile(batch).forEach((op, k) => {
      const key = `${k} ${op.layer}`;
      ops[key] ??= { impl: op.impl, f: [], b: [] };
      ops[key].f.push(op.forwardMs);
      ops[key].b.push(op.backwardMs);
    });
  }
});
console.log(`${name}, batch ${batch}, ${precision}: ${plan.describe()}`);
console.table(Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, { ms: median(v) }])));
console.table(
  Object.fromEntries(
    Object.entries(ops).map(([k, v]) => [
      k,
      { impl: v.impl, forwardMs: median(v.f), backwardMs: median(v.b) },
    ]),
  ),
);
