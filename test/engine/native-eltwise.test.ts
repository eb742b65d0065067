import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { assertMatchesCpu, randInt, randomData, relativeError, rng, skipNative } from './native-helpers.js';

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
      Erf: tf.erf,
      // Weighted, since the softmax sums to one and the gradient of its plain sum vanishes.
      Softmax: (x) => tf.mul(tf.softmax(x), tf.range(1, x.shape[x.shape.length - 1] + 1)),
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

  test('binary ops with general broadcasting (e.g. [n,1,1,c] against [n,h,w,c])', async () => {
    for (let i = 0; i < 8; i++) {
      const shape = randomShape(4, 6);
      const aShape = shape.map((d) => (r() < 0.4 ? 1 : d));
      const bShape = shape.map((d, k) => (aShape[k] === 1 || r() < 0.4 ? d : 1));
      const aData = randomData(r, aShape);
      const bData = randomData(r, bShape);
      await assertMatchesCpu(
        `mul/sub ${aShape} ${bShape}`,
        () => [
          tf.mul(tf.tensor(aData, aShape), tf.tensor(bData, bShape)),
          tf.sub(tf.tensor(aData, aShape), tf.tensor(bData, bShape)),
        ],
        ['Multiply', 'Sub'],
      );
    }
  });

  test('Mean, Concat and SplitV (the gradient of concat) on any axis', async () => {
    for (let i = 0; i < 10; i++) {
      const shape = randomShape(randInt(r, 1, 4), 7);
      const axis = randInt(r, 0, shape.length - 1);
      const parts = [0, 1, 2].map(() => {
        const s = [...shape];
        s[axis] = randInt(r, 1, 5);
        return { shape: s, data: randomData(r, s) };
      });
      await assertMatchesCpu(
        `concat/mean ${parts.map((p) => p.shape).join(' | ')} axis ${axis}`,
        () => {
          const ts = parts.map((p) => tf.tensor(p.data, p.shape));
          const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
            tf.sum(tf.square(tf.concat([a, b, c], axis))),
          )(ts);
          return [
            tf.concat(ts, axis),
            tf.mean(ts[0], axis),
            ...tf.split(tf.concat(ts, axis), [2, -1], axis),
            ...grads,
          ];
        },
        ['Concat', 'Mean', 'SplitV'],
      );
    }
  });

  test('Slice, Tile and Transpose of any rank, and the gradient of padding', async () => {
    for (let i = 0; i < 12; i++) {
      const shape = randomShape(randInt(r, 1, 4), 7);
      const begin = shape.map((d) => randInt(r, 0, d - 1));
      const size = shape.map((d, k) => (r() < 0.3 ? -1 : randInt(r, 1, d - begin[k])));
      const reps = shape.map(() => randInt(r, 1, 3));
      const paddings = shape.map(() => [randInt(r, 0, 2), randInt(r, 0, 2)] as [number, number]);
      const data = randomData(r, shape);
      // A rotation of the axes (rank 1 has no transpose to run).
      const perm = shape.map((_, k) => (k + 1) % shape.length);
      await assertMatchesCpu(
        `slice/tile ${shape} begin ${begin} size ${size} reps ${reps}`,
        () => {
          const x = tf.tensor(data, shape);
          const padGrad = tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.pad(a, paddings))))(x);
          return [tf.slice(x, begin, size), tf.tile(x, reps), padGrad, tf.transpose(x, perm)];
        },
        shape.length > 1 ? ['Slice', 'Tile', 'Transpose'] : ['Slice', 'Tile'],
      );
    }
  });

  test('Transpose by every permutation of rank 4, across 16-element tiles, and identity shares data', async () => {
    const shape = [3, 17, 5, 35];
    const data = randomData(r, shape);
    const perms: number[][] = [];
    const permute = (prefix: number[]): void => {
      if (prefix.length === 4) perms.push(prefix);
      for (let d = 0; d < 4; d++) if (!prefix.includes(d)) permute([...prefix, d]);
    };
    permute([]);
    await assertMatchesCpu(
      `transpose ${shape}`,
      () => {
        const x = tf.tensor(data, shape);
        return perms.map((p) => tf.transpose(x, p));
      },
      ['Transpose'],
    );
    await tf.setBackend('native');
    const x = tf.tensor(data, shape);
    const same = tf.transpose(x, [0, 1, 2, 3]);
    assert.deepEqual(same.dataSync(), x.dataSync());
    tf.dispose([x, same]);
  });

  test('comparisons, logical ops, ClipByValue and the ReLU6 gradient built from them', async () => {
    for (let i = 0; i < 6; i++) {
      const shape = randomShape(3);
      // Rounded values so that equal elements occur.
      const aData = randomData(r, shape).map((v) => Math.round(v * 4) / 2);
      const bData = randomData(r, shape).map((v) => Math.round(v * 4) / 2);
      await assertMatchesCpu(
        `compare ${shape}`,
        () => {
          const a = tf.tensor(aData, shape);
          const b = tf.tensor(bData, shape);
          const ge = tf.greaterEqual(a, b);
          const le = tf.lessEqual(a, 0.5);
          const relu6Grad = tf.grad((x: tf.Tensor) => tf.sum(tf.relu6(tf.mul(x, 6))))(a);
          return [
            tf.cast(ge, 'float32'),
            tf.cast(le, 'float32'),
            tf.cast(tf.logicalAnd(ge, le), 'float32'),
            tf.cast(tf.logicalOr(tf.greater(a, b), tf.less(b, -0.5)), 'float32'),
            tf.cast(tf.equal(a, b), 'float32'),
            tf.cast(tf.notEqual(1, b), 'float32'),
            tf.clipByValue(a, -0.7, 0.3),
            relu6Grad,
          ];
        },
        ['GreaterEqual', 'LessEqual', 'LogicalAnd', 'LogicalOr', 'Equal', 'NotEqual', 'ClipByValue'],
      );
    }
  });

  test('PadV2 of any rank with a constant', async () => {
    for (let i = 0; i < 10; i++) {
      const shape = i === 0 ? [2, 5, 5, 3] : randomShape(randInt(r, 1, 4));
      // The first case is ZeroPadding2D's: batch and channels unpadded.
      const paddings =
        i === 0
          ? ([
              [0, 0],
              [3, 3],
              [3, 3],
              [0, 0],
            ] as [number, number][])
          : shape.map(() => [randInt(r, 0, 3), randInt(r, 0, 3)] as [number, number]);
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

describe('Adam on the native backend', { skip: skipNative }, () => {
  test('the one-pass update gives the weights and moments of TF.js Adam', async () => {
    const data = randomData(r, [64]);
    const scale = randomData(r, [64]);
    const run = async (backend: 'cpu' | 'native'): Promise<{ out: Float32Array[]; left: number }> => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const w = tf.variable(tf.tensor1d(data));
      const c = tf.tensor1d(scale);
      const optimizer = tf.train.adam(0.05, 0.8, 0.99, 1e-6);
      for (let i = 0; i < 6; i++) optimizer.minimize(() => tf.sum(tf.square(tf.mul(w, c))));
      const weights = await optimizer.getWeights();
      const out = [w, ...weights.slice(1).map((n) => n.tensor)].map((t) => Float32Array.from(t.dataSync()));
      optimizer.dispose();
      tf.dispose([w, c, weights[0].tensor]);
      return { out, left: tf.memory().numTensors - before };
    };
    const { out: expected, left: cpuLeft } = await run('cpu');
    const { out: actual, left: nativeLeft } = await run('native');
    // TF.js's own Adam leaves a tensor behind after dispose(); the native update must add none.
    assert.equal(nativeLeft, cpuLeft, 'tensors left behind');
    assert.equal(actual.length, 3);
    for (let i = 0; i < expected.length; i++)
      assert.ok(relativeError(actual[i], expected[i]) <= 1e-6, `output ${i}`);
  });
});
