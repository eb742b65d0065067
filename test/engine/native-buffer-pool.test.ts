import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { BufferPool, outputPool } from '../../src/engine/native/buffer-pool.js';
import { randomData, rng, skipNative } from './native-helpers.js';

const r = rng(77);

function valuesOf(t: tf.Tensor): unknown {
  return (tf.backend() as MathBackendCPU).data.get(t.dataId)?.values;
}

describe('BufferPool', () => {
  test('hands a released array back for the same length only, and only arrays it made', () => {
    const pool = new BufferPool(1 << 20);
    const a = pool.take(100);
    pool.release(a);
    assert.equal(pool.take(50) === a, false);
    assert.equal(pool.take(100), a);
    assert.deepEqual(pool.stats, { reused: 1, allocated: 2 });
    const foreign = new Float32Array(100);
    pool.release(foreign);
    assert.equal(pool.bytes, 0);
    assert.notEqual(pool.take(100), foreign);
  });

  test('never recycles a disowned array or a view into one', () => {
    const pool = new BufferPool(1 << 20);
    const a = pool.take(64);
    pool.release(a.subarray(0, 32));
    assert.equal(pool.bytes, 0, 'a view is not taken back');
    pool.disown(a);
    pool.release(a);
    assert.equal(pool.bytes, 0, 'a disowned array is not taken back');
  });

  test('keeps at most its byte budget, dropping the oldest free arrays first', () => {
    const pool = new BufferPool(1000);
    const a = pool.take(100); // 400 bytes
    const b = pool.take(100);
    const c = pool.take(150); // 600 bytes
    pool.release(a);
    pool.release(b);
    assert.equal(pool.bytes, 800);
    pool.release(c);
    assert.equal(pool.bytes, 1000, 'a and b made room for c, oldest first');
    assert.equal(pool.take(150), c);
    assert.equal(pool.take(100), b);
    assert.equal(pool.bytes, 0);
    const zero = new BufferPool(0);
    const d = zero.take(10);
    zero.release(d);
    assert.equal(zero.bytes, 0, 'a budget of 0 turns recycling off');
  });
});

describe('the native backend recycles kernel outputs safely', { skip: skipNative }, () => {
  const shape = [6, 7];
  const data = () => tf.tensor(randomData(r, shape), shape);

  test('a disposed output array serves the next kernel of that size, with correct results', async () => {
    await tf.setBackend('native');
    const [a, b] = [data(), data()];
    const first = tf.add(a, b);
    const firstValues = valuesOf(first);
    first.dispose();
    const reusedBefore = outputPool.stats.reused;
    const product = tf.mul(a, b);
    assert.equal(valuesOf(product), firstValues, 'the product landed in the freed array');
    assert.ok(outputPool.stats.reused > reusedBefore);
    const expected = Float32Array.from(a.dataSync(), (v, i) => Math.fround(v * b.dataSync()[i]));
    assert.deepEqual(product.dataSync(), expected);
    tf.dispose([a, b, product]);
  });

  test('an array returned by dataSync() keeps its values after its tensor is disposed', async () => {
    await tf.setBackend('native');
    const [a, b] = [data(), data()];
    const sum = tf.add(a, b);
    const read = sum.dataSync();
    const copy = Float32Array.from(read);
    sum.dispose();
    const next = tf.mul(a, b);
    next.dataSync();
    assert.deepEqual(read, copy);
    assert.notEqual(valuesOf(next), read);
    tf.dispose([a, b, next]);
  });

  test('a cpu kernel that returns a view of its input (a simple strided slice) keeps it intact', async () => {
    await tf.setBackend('native');
    const [a, b] = [data(), data()];
    const sum = tf.add(a, b);
    const expected = Float32Array.from(sum.dataSync().subarray(7, 21));
    // dataSync disowned sum's array; a second one that nothing has read:
    const fresh = tf.add(a, b);
    const slice = tf.stridedSlice(fresh, [1, 0], [3, 7], [1, 1]);
    const sliceValues = valuesOf(slice) as Float32Array;
    assert.equal(sliceValues.buffer, (valuesOf(fresh) as Float32Array).buffer, 'the slice is a view');
    fresh.dispose();
    const overwrite = tf.mul(a, b);
    assert.notEqual(valuesOf(overwrite), sliceValues);
    assert.deepEqual(slice.dataSync(), expected);
    tf.dispose([a, b, sum, slice, overwrite]);
  });

  test('training steps recycle their arrays and leak no tensors', async () => {
    await tf.setBackend('native');
    const x = tf.tensor4d(randomData(r, [4, 10, 10, 3]), [4, 10, 10, 3]);
    const w = tf.variable(tf.tensor4d(randomData(r, [3, 3, 3, 5]), [3, 3, 3, 5]));
    const optimizer = tf.train.adam(0.01);
    const step = () =>
      optimizer.minimize(() => tf.mean(tf.square(tf.relu(tf.conv2d(x, w, 1, 'same')))) as tf.Scalar, true);
    step()?.dispose();
    const before = tf.memory().numTensors;
    const { reused, allocated } = outputPool.stats;
    for (let i = 0; i < 3; i++) step()?.dispose();
    assert.equal(tf.memory().numTensors, before);
    const newlyAllocated = outputPool.stats.allocated - allocated;
    const newlyReused = outputPool.stats.reused - reused;
    assert.ok(newlyReused > 3 * newlyAllocated, `reused ${newlyReused}, allocated ${newlyAllocated}`);
    tf.dispose([x, w]);
    optimizer.dispose();
  });

  test('a CNN trains to bit-identical losses with recycling on and off', async () => {
    await tf.setBackend('native');
    const build = () =>
      tfl.sequential({
        layers: [
          tfl.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, activation: 'relu' }),
          tfl.layers.maxPooling2d({ poolSize: 2 }),
          tfl.layers.flatten(),
          tfl.layers.dense({ units: 1, activation: 'sigmoid' }),
        ],
      });
    const shapes = build()
      .getWeights()
      .map((w) => w.shape);
    const weights = shapes.map((shape) => randomData(r, shape));
    const data = randomData(r, [8, 12, 12, 1]);
    const losses = async (): Promise<number[]> => {
      const model = build();
      model.setWeights(weights.map((w, i) => tf.tensor(w, shapes[i])));
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy' });
      const x = tf.tensor4d(data, [8, 12, 12, 1]);
      const y = tf.tensor2d([1, 0, 0, 1, 1, 0, 1, 0], [8, 1]);
      const out: number[] = [];
      for (let i = 0; i < 10; i++) out.push((await model.trainOnBatch(x, y)) as number);
      tf.dispose([x, y]);
      model.dispose();
      return out;
    };
    const recycled = await losses();
    const reusedBefore = outputPool.stats.reused;
    const limit = outputPool.limit;
    outputPool.setLimit(0);
    try {
      const fresh = await losses();
      assert.equal(outputPool.stats.reused, reusedBefore, 'nothing was recycled with a budget of 0');
      assert.deepEqual(fresh, recycled);
      assert.ok(recycled[9] < recycled[0], `the model should learn (${recycled[0]} → ${recycled[9]})`);
    } finally {
      outputPool.setLimit(limit);
    }
  });
});
