import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { randomData, relativeError, rng, skipNative } from './native-helpers.js';

function arrayOf(t: tf.Tensor): unknown {
  return (tf.backend() as MathBackendCPU).data.get(t.dataId)?.values;
}

interface Run {
  weights: Float32Array[];
  /** Whether each step after the first kept the weight's array (an in-place update). */
  kept: boolean[];
  left: number;
}

/** Adam steps on two weights of a least-squares loss; `between` runs after each step. */
async function train(
  backend: 'cpu' | 'native',
  steps: number,
  between?: (w: tf.Variable) => void,
): Promise<Run> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const w = tf.variable(tf.tensor2d(randomData(rng(5), [40, 30]), [40, 30]));
  const b = tf.variable(tf.tensor1d(randomData(rng(6), [30])));
  const x = tf.tensor2d(randomData(rng(7), [16, 40]), [16, 40]);
  const target = tf.tensor2d(randomData(rng(8), [16, 30]), [16, 30]);
  const optimizer = tf.train.adam(0.03, 0.85, 0.995, 1e-6);
  const kept: boolean[] = [];
  for (let i = 0; i < steps; i++) {
    const array = arrayOf(w);
    optimizer.minimize(() => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, w), b), target))) as tf.Scalar);
    if (i > 0) kept.push(arrayOf(w) === array);
    between?.(w);
  }
  const moments = (await optimizer.getWeights()).slice(1).map((n) => n.tensor);
  const weights = [w, b, ...moments].map((t) => Float32Array.from(t.dataSync()));
  optimizer.dispose();
  tf.dispose([w, b, x, target]);
  return { weights, kept, left: tf.memory().numTensors - before };
}

describe('Adam in place on the native backend', { skip: skipNative }, () => {
  test('updates weights and moments in their own arrays, as TF.js Adam on cpu computes them', async () => {
    const expected = await train('cpu', 8);
    const actual = await train('native', 8);
    assert.ok(
      actual.kept.every((k) => k),
      `steps 2-8 should update in place: ${actual.kept}`,
    );
    assert.equal(actual.left, expected.left, 'tensors left behind');
    assert.equal(actual.weights.length, 6);
    for (let i = 0; i < expected.weights.length; i++) {
      const err = relativeError(actual.weights[i], expected.weights[i]);
      assert.ok(err <= 1e-6, `weight or moment ${i}: relative error ${err.toExponential(2)}`);
    }
  });

  test('never writes into a tensor sharing the weight', async () => {
    const snapshots: { clone: tf.Tensor; copy: Float32Array }[] = [];
    const run = await train('native', 5, (w) => {
      const clone = tf.clone(w);
      snapshots.push({ clone, copy: Float32Array.from(arrayOf(w) as Float32Array) });
    });
    for (const [i, s] of snapshots.entries())
      assert.deepEqual(s.clone.dataSync(), s.copy, `the clone taken after step ${i + 1} changed`);
    assert.ok(
      run.kept.every((k) => !k),
      `a weight shared with a clone takes new arrays: ${run.kept}`,
    );
    tf.dispose(snapshots.map((s) => s.clone));
    await assertSameAsCpu(run, 5);
  });

  test('never writes into an array read out of the weight', async () => {
    const reads: { read: Float32Array; copy: Float32Array }[] = [];
    const run = await train('native', 5, (w) => {
      const read = w.dataSync() as Float32Array;
      reads.push({ read, copy: Float32Array.from(read) });
    });
    for (const [i, s] of reads.entries())
      assert.deepEqual(s.read, s.copy, `the array read after step ${i + 1} was overwritten`);
    assert.ok(
      run.kept.every((k) => !k),
      `a weight read out takes new arrays: ${run.kept}`,
    );
    await assertSameAsCpu(run, 5);
  });
});

async function assertSameAsCpu(run: Run, steps: number): Promise<void> {
  const expected = await train('cpu', steps);
  for (let i = 0; i < expected.weights.length; i++)
    assert.ok(relativeError(run.weights[i], expected.weights[i]) <= 1e-6, `weight or moment ${i}`);
}
