import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { VisionlabError } from '../../src/errors.js';
import {
  batchLossAndGradient,
  perExampleCorrect,
  perExampleLoss,
  type LossName,
} from '../../src/train/losses.js';
import { fixtureRng } from './helpers.js';

await tf.setBackend('cpu');

/** Rows of probabilities (softmax of random logits; one unit: a sigmoid), some at or beyond the clip. */
function probabilities(n: number, units: number, seed: number): Float32Array {
  const rng = fixtureRng(seed);
  const p = new Float32Array(n * units);
  for (let i = 0; i < n; i++) {
    const logits = Array.from({ length: units }, () => 8 * (rng() - 0.5));
    if (units === 1) p[i] = 1 / (1 + Math.exp(-logits[0]));
    else {
      const e = logits.map(Math.exp);
      const s = e.reduce((a, b) => a + b, 0);
      e.forEach((v, k) => (p[i * units + k] = v / s));
    }
  }
  // Clipped from below, exactly 1 (clipped from above), and exactly at the clip bound.
  p[0] = 1e-9;
  p[units] = 1;
  p[2 * units + (units > 1 ? 1 : 0)] = Math.fround(1e-7);
  return p;
}

/** The eager step's loss, its gradient and correct count, with TF.js ops. */
function eager(loss: LossName, p: Float32Array, units: number, labels: Int32Array, w?: Float32Array, k = 1) {
  const pred = tf.tensor2d(p, [labels.length, units]);
  const y = tf.tensor1d(labels, 'int32');
  const weights = w ? tf.tensor1d(w) : undefined;
  const { value, grad } = tf.tidy(() =>
    tf.valueAndGrad((out: tf.Tensor) => {
      const l = perExampleLoss(loss, out, y);
      return tf.mul(tf.mean(weights ? tf.mul(l, weights) : l), k) as tf.Scalar;
    })(pred),
  );
  const correct = tf.tidy(() => tf.sum(perExampleCorrect(pred, y)));
  const out = { loss: value.dataSync()[0] / k, gradient: grad.dataSync(), correct: correct.dataSync()[0] };
  tf.dispose([pred, y, value, grad, correct, ...(weights ? [weights] : [])]);
  return out;
}

for (const [loss, units] of [
  ['sparseCategoricalCrossentropy', 10],
  ['categoricalCrossentropy', 3],
  ['binaryCrossentropy', 1],
] as [LossName, number][]) {
  test(`batchLossAndGradient equals the eager ops for ${loss} (${units} units)`, () => {
    const before = tf.memory().numTensors;
    const n = 37;
    const rng = fixtureRng(units);
    const labels = Int32Array.from({ length: n }, () => Math.floor(rng() * Math.max(units, 2)));
    labels.set([0, 0, 1]); // the clipped probabilities of probabilities() are at these labels
    const p = probabilities(n, units, 5);
    for (const w of [undefined, Float32Array.from({ length: n }, () => 0.25 + 2 * rng())]) {
      const k = w ? 0.3 : 1;
      const want = eager(loss, p, units, labels, w, k);
      const got = batchLossAndGradient(loss, p, units, labels, w, k);
      assert.ok(Math.abs(got.loss - want.loss) <= 1e-6 * want.loss, `loss ${got.loss} vs ${want.loss}`);
      assert.equal(got.correct, want.correct);
      assert.ok(want.correct > 0 && want.correct < n, 'some right, some wrong');
      let norm = 0;
      for (let i = 0; i < want.gradient.length; i++) {
        const diff = Math.abs(got.gradient[i] - want.gradient[i]);
        assert.ok(
          diff <= 1e-6 * Math.abs(want.gradient[i]),
          `gradient ${i}: ${got.gradient[i]} vs ${want.gradient[i]}`,
        );
        norm += Math.abs(want.gradient[i]);
      }
      assert.ok(norm > 0, 'a gradient that is not zero');
      assert.equal(got.gradient[0], 0, 'no gradient where the clip bites from below');
      assert.equal(got.gradient[units], 0, 'nor from above');
      assert.notEqual(got.gradient[2 * units + (units > 1 ? 1 : 0)], 0, 'but at the clip bound itself');
    }
    assert.equal(tf.memory().numTensors, before);
  });
}

test('batchLossAndGradient names a label outside the output and a wrong output size', () => {
  const p = new Float32Array([0.2, 0.8, 0.5, 0.5]);
  assert.throws(
    () => batchLossAndGradient('sparseCategoricalCrossentropy', p, 2, [0, 2]),
    (e: unknown) =>
      e instanceof VisionlabError && /label 2 is not a class of this 2-unit output/.test(e.message),
  );
  assert.throws(
    () => batchLossAndGradient('sparseCategoricalCrossentropy', p, 2, [0, 1, 1]),
    /the model output has 4 values, not 3 examples × 2 units/,
  );
  assert.throws(
    () => batchLossAndGradient('binaryCrossentropy', p, 2, [0, 1]),
    /needs a model output of 1 unit/,
  );
});
