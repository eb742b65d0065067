import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { skipNative } from './native-helpers.js';

// Denormal floats cost x86 multiply-adds about 100× their time, so native kernels read and write them as
// zero (as TensorFlow does) while JavaScript's own arithmetic keeps them.
describe('native kernels flush denormal floats to zero', { skip: skipNative }, () => {
  test('a matrix product of denormal inputs is zero on every thread, normal inputs are untouched', async () => {
    await tf.setBackend('native');
    const before = tf.memory().numTensors;
    // 128×512 · 512×128 is large enough for the product to run on all OpenMP threads.
    const [m, k, n] = [128, 512, 128];
    const denormal = tf.fill([m, k], 1e-39);
    const twos = tf.fill([k, n], 2);
    const flushed = tf.tidy(() => tf.matMul(denormal, twos).dataSync() as Float32Array);
    // The cpu backend gives 512 · 2 · 1e-39 ≈ 1.02e-36, a normal number: only the flush makes it zero.
    assert.equal(Math.max(...flushed.map(Math.abs)), 0, 'denormal inputs were not flushed');
    const small = tf.fill([m, k], 1e-30);
    const normal = tf.tidy(() => tf.matMul(small, twos).dataSync() as Float32Array);
    assert.ok(Math.abs(normal[0] - 1.024e-27) < 1e-32, `1e-30 · 2 summed 512 times gave ${normal[0]}`);
    tf.dispose([denormal, twos, small]);
    assert.equal(tf.memory().numTensors, before);
  });

  test('JavaScript arithmetic on the main thread still keeps denormals after a kernel ran', async () => {
    await tf.setBackend('native');
    tf.tidy(() => tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])).dataSync());
    const three = Number(process.env.VISIONLAB_TEST_UNSET ?? '3'); // a runtime value, so nothing is folded
    assert.equal(Number.MIN_VALUE * three, 1.5e-323);
    assert.equal(new Float32Array([1e-39 * three])[0] > 0, true);
  });
});
