import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Bf16Copies, bf16Copies } from '../../src/engine/native/bf16-copies.js';
import { BufferPool } from '../../src/engine/native/buffer-pool.js';
import { detectPrecisionSupport, setPrecision } from '../../src/engine/precision.js';
import { randomData, rng, skipNative } from './native-helpers.js';

const LARGE = 1 << 16;

describe('Bf16Copies', () => {
  test('keeps one copy per array the pool owns, of half its float slots, and reuses it', () => {
    const pool = new BufferPool(1 << 24);
    const copies = new Bf16Copies(pool, 1 << 24);
    const a = pool.take(LARGE + 1);
    const first = copies.operand(a);
    assert.ok(first);
    assert.equal(first.ready, false);
    assert.equal(first.bits.length, LARGE / 2 + 1);
    const again = copies.operand(a);
    assert.equal(again?.bits, first.bits);
    assert.equal(again?.ready, true);
    assert.deepEqual(copies.stats, { reused: 1, rounded: 1 });
    assert.equal(copies.operand(pool.take(LARGE - 1)), null, 'small arrays are converted on the fly');
    assert.equal(copies.operand(new Float32Array(LARGE)), null, 'arrays the pool did not make get none');
  });

  test('drops a copy when the pool takes its array back or it is read out, so new contents are rounded again', () => {
    const pool = new BufferPool(1 << 24);
    const copies = new Bf16Copies(pool, 1 << 24);
    const a = pool.take(LARGE);
    copies.operand(a);
    pool.release(a);
    assert.equal(copies.bytes, 0);
    const reused = pool.take(LARGE);
    assert.equal(reused, a, 'the pool hands the same array out again');
    assert.equal(copies.operand(reused)?.ready, false);
    pool.disown(reused);
    assert.equal(copies.bytes, 0);
    assert.equal(copies.operand(reused), null);
  });

  test('arrays written in place lose their copy and get no other until the pool takes them back', () => {
    const pool = new BufferPool(1 << 24);
    const copies = new Bf16Copies(pool, 1 << 24);
    const w = pool.take(LARGE);
    copies.operand(w);
    copies.written([w]);
    assert.equal(copies.bytes, 0);
    assert.equal(copies.operand(w), null);
    pool.release(w);
    assert.equal(copies.operand(pool.take(LARGE))?.ready, false);
  });

  test('stays within its byte budget by dropping the oldest copies', () => {
    const pool = new BufferPool(1 << 24);
    const copies = new Bf16Copies(pool, 2 * LARGE * 2);
    const [a, b, c] = [pool.take(LARGE), pool.take(LARGE), pool.take(LARGE)];
    for (const x of [a, b, c]) copies.operand(x);
    assert.equal(copies.bytes, 2 * LARGE * 2);
    assert.equal(copies.operand(a)?.ready, false, 'the oldest went first');
    assert.equal(copies.operand(c)?.ready, true);
    copies.setLimit(0);
    assert.equal(copies.bytes, 0);
    assert.equal(copies.operand(b), null);
  });
});

const bf16 = detectPrecisionSupport().precisions.includes('bf16');

/** Losses and final weights of a few Adam steps of a model whose activations and a weight are large enough to be kept. */
async function train(seed: number): Promise<{ losses: number[]; weights: Float32Array[] }> {
  const r = rng(seed);
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({
        inputShape: [64, 256],
        units: 256,
        activation: 'relu',
        kernelInitializer: 'glorotUniform',
      }),
      tfl.layers.dense({ units: 128 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  tf.tidy(() => {
    for (const w of model.weights) {
      const shape = w.read().shape;
      w.write(tf.mul(tf.tensor(randomData(r, shape), shape), 0.1));
    }
  });
  const optimizer = tf.train.adam(1e-3);
  model.compile({ optimizer, loss: 'binaryCrossentropy' });
  const x = tf.tensor(randomData(r, [8, 64, 256]), [8, 64, 256]);
  const y = tf.tensor([1, 0, 1, 1, 0, 0, 1, 0], [8, 1]);
  const losses: number[] = [];
  for (let i = 0; i < 4; i++) losses.push((await model.trainOnBatch(x, y)) as number);
  const weights = model.weights.map((w) => w.read().dataSync() as Float32Array);
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  return { losses, weights };
}

describe('bf16 products with kept copies', { skip: skipNative || (!bf16 && 'this CPU has no bf16') }, () => {
  afterEach(() => {
    setPrecision('fp32');
    bf16Copies.setLimit(1 << 30);
  });

  test('train bit for bit as products that round every operand on each call, and leak nothing', async () => {
    await tf.setBackend('native');
    setPrecision('bf16');
    bf16Copies.setLimit(0);
    const before = tf.memory().numTensors;
    const plain = await train(5);
    bf16Copies.setLimit(1 << 30);
    const reusedBefore = bf16Copies.stats.reused;
    const kept = await train(5);
    assert.ok(bf16Copies.stats.reused > reusedBefore, 'some products read a kept copy');
    assert.deepEqual(kept.losses, plain.losses);
    kept.weights.forEach((w, i) => assert.deepEqual(w, plain.weights[i], `weight ${i}`));
    assert.ok(plain.losses[3] !== plain.losses[0], 'the weights changed between steps');
    assert.equal(tf.memory().numTensors, before);
    assert.equal(bf16Copies.bytes, 0, 'every copy went with its tensor');
  });
});
