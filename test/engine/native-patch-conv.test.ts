import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { patchGeometry } from '../../src/engine/native/patch-conv.js';
import { assertMatchesCpu, randomData, rng, skipNative } from './native-helpers.js';

/** Convolutions whose windows tile the input (patch merging, 1×1, 'same' on odd sizes padding the bottom/right). */
const cases: {
  x: [number, number, number, number];
  k: [number, number];
  c: number;
  pad: 'valid' | 'same';
}[] = [
  { x: [2, 6, 8, 5], k: [2, 2], c: 7, pad: 'valid' },
  { x: [1, 6, 6, 3], k: [3, 2], c: 4, pad: 'same' },
  { x: [3, 4, 5, 6], k: [1, 1], c: 5, pad: 'valid' },
  { x: [1, 4, 4, 8], k: [1, 2], c: 3, pad: 'valid' },
  { x: [2, 7, 5, 4], k: [2, 2], c: 6, pad: 'same' },
  { x: [1, 5, 7, 3], k: [3, 2], c: 2, pad: 'same' },
];

function geometry(
  x: [number, number, number, number],
  k: [number, number],
  c: number,
  pad: 'valid' | 'same',
) {
  return patchGeometry(
    tf.backend_util.computeConv2DInfo(x, [k[0], k[1], x[3], c], k, 1, pad, undefined, false, 'channelsLast'),
  );
}

describe('convolutions whose windows tile the input run as matrix products', { skip: skipNative }, () => {
  test('the patch geometry is taken exactly when stride = filter and only the bottom/right is padded', () => {
    for (const { x, k, c, pad } of cases) {
      const g = geometry(x, k, c, pad);
      assert.ok(g, `x=${x} filter=${k}`);
      assert.equal(g.pixels, x[0] * Math.ceil(x[1] / k[0]) * Math.ceil(x[2] / k[1]));
      assert.equal(g.patch, k[0] * k[1] * x[3]);
    }
    assert.deepEqual(geometry([2, 7, 5, 4], [2, 2], 6, 'same')?.padding, Int32Array.from([0, 1, 1, 0]));
    // 'valid' drops the last column of a 7-wide input; 'same' pads a 3-wide window on both sides.
    assert.equal(geometry([1, 6, 7, 3], [2, 2], 4, 'valid'), null);
    assert.equal(geometry([1, 7, 7, 3], [3, 3], 4, 'same'), null);
  });

  test('forward (bias, relu) and the gradients of input, filter and bias match the cpu backend', async () => {
    const r = rng(12);
    for (const { x, k, c, pad } of cases) {
      const filter: [number, number, number, number] = [k[0], k[1], x[3], c];
      const [xData, fData, bData] = [randomData(r, x), randomData(r, filter), randomData(r, [c])];
      await assertMatchesCpu(
        `patch conv x=${x} filter=${filter} ${pad}`,
        () => {
          const xs = tf.tensor4d(xData, x);
          const f = tf.tensor4d(fData, filter);
          const b = tf.tensor1d(bData);
          const conv = (a: tf.Tensor, w: tf.Tensor, bias: tf.Tensor, activation: 'relu' | 'elu') =>
            tf.fused.conv2d({
              x: a as tf.Tensor4D,
              filter: w as tf.Tensor4D,
              bias,
              strides: k,
              pad,
              activation,
            });
          const loss = (a: tf.Tensor, w: tf.Tensor, bias: tf.Tensor) =>
            tf.sum(tf.square(conv(a, w, bias, 'relu')));
          return [
            tf.conv2d(xs, f, k, pad),
            conv(xs, f, b, 'relu'),
            conv(xs, f, b, 'elu'),
            ...tf.grads(loss)([xs, f, b]),
          ];
        },
        ['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'],
      );
    }
  });
});
