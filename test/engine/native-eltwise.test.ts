import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { assertMatchesCpu, randInt, randomData, rng, skipNative } from './native-helpers.js';

const r = rng(21);

function randomShape(rank: number, max = 9): number[] {
  return Array.from({ length: rank }, () => randInt(r, 1, max));
}

describe('native element-wise kernels match the cpu backend', { skip: skipNative }, () => {
  test('binary ops: equal shapes, scalars, trailing broadcasts (bias) on either side', async () => {
    const ops = {
      Add: tf.add,
      Sub: tf.sub,
      Multiply: tf.mul,
      RealDiv: tf.div,
      Maximum: tf.maximum,
      Minimum: tf.minimum,
      SquaredDifference: tf.squaredDifference,
    };
    for (const [name, op] of Object.entries(ops)) {
      for (let i = 0; i < 6; i++) {
        const shape = randomShape(randInt(r, 1, 4));
        const kind = i % 3;
        const other =
          kind === 0 ? shape : kind === 1 ? [] : shape.slice(randInt(r, 1, shape.length - 1) || 0);
        const swap = r() < 0.5;
        const aShape = swap ? other : shape;
        const bShape = swap ? shape : other;
        const aData = randomData(r, aShape);
        // Keep divisors away from zero so that the relative error stays meaningful.
        const bData = randomData(r, bShape).map((v) => (name === 'RealDiv' ? v + Math.sign(v || 1) : v));
        await assertMatchesCpu(
          `${name} ${aShape} ${bShape}`,
          () => op(tf.tensor(aData, aShape), tf.tensor(bData, bShape)),
          [name],
        );
      }
    }
  });

  test('unary ops and their gradients', async () => {
    const ops: Record<string, (x: tf.Tensor) => tf.Tensor> = {
      Relu: tf.relu,
      Relu6: tf.relu6,
      Step: (x) => tf.step(x, 0.3),
      Sqrt: (x) => tf.sqrt(tf.abs(x)),
      Square: tf.square,
      Neg: tf.neg,
      Exp: tf.exp,
      Log: (x) => tf.log(tf.abs(x)),
      Abs: tf.abs,
      Sigmoid: tf.sigmoid,
      Rsqrt: (x) => tf.rsqrt(tf.abs(x)),
      Reciprocal: tf.reciprocal,
    };
    for (const [name, op] of Object.entries(ops)) {
      const shape = randomShape(3);
      // Away from 0, where abs/sqrt/log/reciprocal are singular.
      const data = randomData(r, shape).map((v) => v + Math.sign(v || 1) * 0.1);
      await assertMatchesCpu(
        `${name} ${shape}`,
        () => {
          const x = tf.tensor(data, shape);
          const grad = tf.grad((a: tf.Tensor) => tf.sum(op(a)))(x);
          return [op(x), grad];
        },
        [name],
      );
    }
  });

  test('Sum over contiguous axes, with and without keepDims', async () => {
    for (let i = 0; i < 15; i++) {
      const shape = randomShape(randInt(r, 1, 4), 12);
      const first = randInt(r, 0, shape.length - 1);
      const last = randInt(r, first, shape.length - 1);
      const axes = Array.from({ length: last - first + 1 }, (_, k) => first + k);
      const keepDims = r() < 0.5;
      const data = randomData(r, shape);
      await assertMatchesCpu(
        `sum ${shape} axes ${axes}`,
        () => tf.sum(tf.tensor(data, shape), axes, keepDims),
        ['Sum'],
      );
    }
  });

  test('PadV2 of any rank with a constant', async () => {
    for (let i = 0; i < 10; i++) {
      const shape = randomShape(randInt(r, 1, 4));
      const paddings = shape.map(() => [randInt(r, 0, 3), randInt(r, 0, 3)] as [number, number]);
      const data = randomData(r, shape);
      const value = i % 2 ? 0 : 1.5;
      await assertMatchesCpu(
        `pad ${shape} ${JSON.stringify(paddings)}`,
        () => tf.pad(tf.tensor(data, shape), paddings, value),
        ['PadV2'],
      );
    }
  });
});
