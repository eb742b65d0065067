import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { assertMatchesCpu, randInt, randomData, rng, skipNative } from './native-helpers.js';

describe('native pooling matches the cpu backend', { skip: skipNative }, () => {
  test('MaxPool and AvgPool forward, MaxPoolGrad and AvgPoolGrad through tf.grad', async () => {
    const r = rng(11);
    for (let i = 0; i < 30; i++) {
      const shape: [number, number, number, number] = [
        randInt(r, 1, 3),
        randInt(r, 3, 12),
        randInt(r, 3, 12),
        randInt(r, 1, 8),
      ];
      const k = randInt(r, 1, 3);
      const s = randInt(r, 1, 3);
      // TF.js's AvgPoolGrad divides by the full window even where `same` padding cuts it (TF divides by
      // the in-bounds count, as ours does), so its gradient is compared with valid padding only.
      const pad = r() < 0.5 ? 'same' : 'valid';
      const data = randomData(r, shape);
      const label = `pool x=${shape} k=${k} s=${s} ${pad}`;
      await assertMatchesCpu(label, () => {
        const x = tf.tensor4d(data, shape);
        const maxLoss = (a: tf.Tensor) => tf.sum(tf.square(tf.maxPool(a as tf.Tensor4D, k, s, pad)));
        return [tf.maxPool(x, k, s, pad), tf.avgPool(x, k, s, pad), tf.grad(maxLoss)(x)];
      }, ['MaxPool', 'AvgPool', 'MaxPoolGrad']);
      await assertMatchesCpu(
        `${label} avg grad`,
        () => {
          const x = tf.tensor4d(data, shape);
          const avgLoss = (a: tf.Tensor) => tf.sum(tf.square(tf.avgPool(a as tf.Tensor4D, k, s, 'valid')));
          return tf.grad(avgLoss)(x);
        },
        ['AvgPoolGrad'],
      );
    }
  });

  test("MaxPoolGrad sends each window's gradient to its first maximum, as cpu does, with ties and many channels", async () => {
    const r = rng(12);
    const cases: Array<{ shape: [number, number, number, number]; k: [number, number]; s: number }> = [
      { shape: [2, 19, 19, 96], k: [3, 3], s: 2 }, // the reduced AlexNet's overlapping 3×3/2 windows
      { shape: [3, 14, 14, 64], k: [2, 2], s: 2 },
      { shape: [1, 9, 11, 5], k: [3, 2], s: 1 },
    ];
    for (const { shape, k, s } of cases) {
      // Values on a coarse grid, so that most windows hold several equal maxima.
      const data = randomData(r, shape).map((v) => Math.round(v * 2) / 2);
      const channelWeights = randomData(r, [shape[3]]);
      for (const pad of ['valid', 'same'] as const) {
        await assertMatchesCpu(
          `max pool grad x=${shape} k=${k} s=${s} ${pad}`,
          () => {
            const x = tf.tensor4d(data, shape);
            const weights = tf.tensor(channelWeights);
            const loss = (a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, k, s, pad), weights));
            return tf.grad(loss)(x);
          },
          ['MaxPoolGrad'],
        );
      }
    }
  });

  test('AvgPoolGrad with same padding divides by the in-bounds count, like the forward pass', async () => {
    // 1×3×3×1 input of ones, 3×3 window, stride 1, same: the corner output averages 4 pixels.
    const x = tf.ones([1, 3, 3, 1]) as tf.Tensor4D;
    await tf.setBackend('native');
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.avgPool(a as tf.Tensor4D, 3, 1, 'same')))(x);
    // Pixel (0,0) is in 4 windows: 3 of 4 pixels (corner) … sum of 1/count over its windows.
    const expected00 = 1 / 4 + 1 / 6 + 1 / 6 + 1 / 9;
    const got = g.dataSync()[0];
    g.dispose();
    x.dispose();
    if (Math.abs(got - expected00) > 1e-6) throw new Error(`dx[0,0] = ${got}, expected ${expected00}`);
  });
});

describe('native matrix products match the cpu backend', { skip: skipNative }, () => {
  test('BatchMatMul with transposes and broadcast batches, and its gradient', async () => {
    const r = rng(12);
    for (let i = 0; i < 20; i++) {
      const m = randInt(r, 1, 17);
      const n = randInt(r, 1, 17);
      const k = randInt(r, 1, 17);
      const batch = randInt(r, 1, 3);
      const ta = r() < 0.5;
      const tb = r() < 0.5;
      const rank3 = r() < 0.5;
      const bBatch = rank3 && r() < 0.3 ? 1 : batch;
      const aShape = rank3 ? [batch, ta ? k : m, ta ? m : k] : [ta ? k : m, ta ? m : k];
      const bShape = rank3 ? [bBatch, tb ? n : k, tb ? k : n] : [tb ? n : k, tb ? k : n];
      const aData = randomData(r, aShape);
      const bData = randomData(r, bShape);
      await assertMatchesCpu(
        `matMul a=${aShape} b=${bShape} ta=${ta} tb=${tb}`,
        () => {
          const a = tf.tensor(aData, aShape);
          const b = tf.tensor(bData, bShape);
          const loss = (p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.matMul(p, q, ta, tb)));
          // TF.js's BatchMatMul gradient does not reduce a broadcast batch: forward only then.
          const grads = bBatch === batch ? tf.grads(loss)([a, b]) : [];
          return [tf.matMul(a, b, ta, tb), ...grads];
        },
        ['BatchMatMul'],
      );
    }
  });

  test('_FusedMatMul with bias and activations, and its gradient', async () => {
    const r = rng(13);
    for (const activation of ['linear', 'relu', 'relu6', 'sigmoid', 'elu', 'leakyrelu'] as const) {
      const [m, n, k] = [randInt(r, 1, 9), randInt(r, 1, 9), randInt(r, 1, 9)];
      const aData = randomData(r, [m, k]);
      const bData = randomData(r, [k, n]);
      const biasData = randomData(r, [n]);
      await assertMatchesCpu(
        `fused matMul ${m}×${k}·${k}×${n} ${activation}`,
        () => {
          const a = tf.tensor2d(aData, [m, k]);
          const b = tf.tensor2d(bData, [k, n]);
          const bias = tf.tensor1d(biasData);
          const y = tf.fused.matMul({ a, b, bias, activation });
          const loss = (p: tf.Tensor, q: tf.Tensor, c: tf.Tensor) =>
            tf.sum(
              tf.square(
                tf.fused.matMul({ a: p as tf.Tensor2D, b: q as tf.Tensor2D, bias: c, activation: 'relu' }),
              ),
            );
          return [y, ...tf.grads(loss)([a, b, bias])];
        },
        ['_FusedMatMul'],
      );
    }
  });
});
