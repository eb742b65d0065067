import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { loadAddon, type NativeAddon } from '../../src/engine/native/addon.js';
import { assertMatchesCpu, randInt, randomData, rng, skipNative } from './native-helpers.js';

type Pad = 'same' | 'valid' | number;

interface ConvCase {
  label: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
  xData: Float32Array;
  fData: Float32Array;
  bias: Float32Array;
}

/** Random shapes: batch 1–3, odd and even sizes, strides or dilations, same/valid/explicit padding. */
function convCases(seed: number, count: number, depthwise: boolean, allowDilation = true): ConvCase[] {
  const r = rng(seed);
  const cases: ConvCase[] = [];
  for (let i = 0; i < count; i++) {
    const n = randInt(r, 1, 3);
    const h = randInt(r, 4, 13);
    const w = randInt(r, 4, 13);
    const c = randInt(r, 1, 9);
    const kh = randInt(r, 1, Math.min(5, h));
    const kw = randInt(r, 1, Math.min(5, w));
    const out = depthwise ? randInt(r, 1, 3) : randInt(r, 1, 12);
    const dilated = allowDilation && r() < 0.25;
    const strides: [number, number] = dilated ? [1, 1] : [randInt(r, 1, 3), randInt(r, 1, 3)];
    const dilations: [number, number] = dilated ? [randInt(r, 1, 2), 2] : [1, 1];
    // TF.js sizes a numeric padding's output from the filter's height and stride alone: square only.
    const square = kh === kw && strides[0] === strides[1] && dilations[0] === dilations[1];
    const pads: Pad[] = ['same', 'valid', randInt(r, 0, 2)];
    let pad = pads[randInt(r, 0, square ? 2 : 1)];
    const explicit = typeof pad === 'number' ? 2 * pad : 0;
    const tooBig = (kh - 1) * dilations[0] + 1 > h + explicit || (kw - 1) * dilations[1] + 1 > w + explicit;
    if (pad !== 'same' && tooBig) pad = 'same';
    const x: [number, number, number, number] = [n, h, w, c];
    const filter: [number, number, number, number] = [kh, kw, c, out];
    const label = `x=${x} filter=${filter} strides=${strides} dilations=${dilations} pad=${pad}`;
    const outChannels = depthwise ? c * out : out;
    cases.push({
      label,
      x,
      filter,
      strides,
      dilations,
      pad,
      xData: randomData(r, x),
      fData: randomData(r, filter),
      bias: randomData(r, [outChannels]),
    });
  }
  return cases;
}

describe('native convolutions match the cpu backend', { skip: skipNative }, () => {
  test('Conv2D and FusedConv2D (bias + relu), forward', async () => {
    for (const k of convCases(1, 25, false)) {
      await assertMatchesCpu(
        `conv2d ${k.label}`,
        () => {
          const x = tf.tensor4d(k.xData, k.x);
          const f = tf.tensor4d(k.fData, k.filter);
          const b = tf.tensor1d(k.bias);
          const opts = { x, filter: f, strides: k.strides, pad: k.pad, dilations: k.dilations, bias: b };
          return [
            tf.conv2d(x, f, k.strides, k.pad, 'NHWC', k.dilations),
            tf.fused.conv2d({ ...opts, activation: 'relu' }),
            tf.fused.conv2d({ ...opts, activation: 'relu6' }),
          ];
        },
        ['Conv2D', 'FusedConv2D'],
      );
    }
  });

  test('Conv2DBackpropInput and Conv2DBackpropFilter through tf.grad', async () => {
    for (const k of convCases(2, 25, false, false)) {
      await assertMatchesCpu(
        `conv2d grads ${k.label}`,
        () => {
          const x = tf.tensor4d(k.xData, k.x);
          const f = tf.tensor4d(k.fData, k.filter);
          const loss = (a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(
              tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, k.strides, k.pad, 'NHWC', k.dilations)),
            );
          return tf.grads(loss)([x, f]);
        },
        ['Conv2DBackpropInput', 'Conv2DBackpropFilter'],
      );
    }
  });

  test('1×1 weight gradient with unequal strides: matches the cpu backend, not on the broken jit_1x1 kernel', async () => {
    const { loadAddon } = await import('../../src/engine/native/addon.js');
    const { convParams } = await import('../../src/engine/native/conv-params.js');
    const addon = loadAddon().addon!;
    for (const strides of [
      [1, 2],
      [2, 1],
    ] as [number, number][]) {
      const r = rng(7);
      const x = randomData(r, [1, 11, 12, 3]);
      const f = randomData(r, [1, 1, 3, 5]);
      await assertMatchesCpu(
        `1×1 conv weight gradient, strides ${strides}`,
        () =>
          tf.grad((b: tf.Tensor) =>
            tf.sum(tf.square(tf.conv2d(tf.tensor4d(x, [1, 11, 12, 3]), b as tf.Tensor4D, strides, 'valid'))),
          )(tf.tensor4d(f, [1, 1, 3, 5])),
        ['Conv2DBackpropFilter'],
      );
      const info = tf.backend_util.computeConv2DInfo([1, 11, 12, 3], [1, 1, 3, 5], strides, 1, 'valid');
      const impl = addon.convImpl('weights', convParams(info, false, 0, false)!);
      assert.doesNotMatch(impl, /^jit_1x1/, `strides ${strides}: ${impl}`);
    }
  });

  test('FusedConv2D gradients with bias and relu', async () => {
    for (const k of convCases(3, 10, false, false)) {
      await assertMatchesCpu(
        `fused conv2d grads ${k.label}`,
        () => {
          const x = tf.tensor4d(k.xData, k.x);
          const f = tf.tensor4d(k.fData, k.filter);
          const b = tf.tensor1d(k.bias);
          const loss = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
            tf.sum(
              tf.square(
                tf.fused.conv2d({
                  x: a as tf.Tensor4D,
                  filter: c as tf.Tensor4D,
                  bias: d,
                  strides: k.strides,
                  pad: k.pad,
                  dilations: k.dilations,
                  activation: 'relu',
                }),
              ),
            );
          return tf.grads(loss)([x, f, b]);
        },
        ['Conv2DBackpropInput', 'Conv2DBackpropFilter'],
      );
    }
  });

  test('conv2dTranspose (Conv2DBackpropInput as a forward op)', async () => {
    const r = rng(4);
    for (let i = 0; i < 10; i++) {
      const n = randInt(r, 1, 2);
      const h = randInt(r, 3, 8);
      const w = randInt(r, 3, 8);
      const c = randInt(r, 1, 6);
      const oc = randInt(r, 1, 6);
      const s = randInt(r, 1, 3);
      const k = randInt(r, 1, 4);
      const pad = r() < 0.5 ? 'same' : 'valid';
      const outH = pad === 'same' ? h * s : (h - 1) * s + k;
      const outW = pad === 'same' ? w * s : (w - 1) * s + k;
      const xData = randomData(r, [n, h, w, c]);
      const fData = randomData(r, [k, k, oc, c]);
      await assertMatchesCpu(
        `conv2dTranspose ${[n, h, w, c]} k=${k} s=${s} ${pad}`,
        () =>
          tf.conv2dTranspose(
            tf.tensor4d(xData, [n, h, w, c]),
            tf.tensor4d(fData, [k, k, oc, c]),
            [n, outH, outW, oc],
            s,
            pad,
          ),
        ['Conv2DBackpropInput'],
      );
    }
  });

  test('DepthwiseConv2dNative and FusedDepthwiseConv2D, forward', async () => {
    for (const k of convCases(5, 25, true)) {
      await assertMatchesCpu(
        `depthwise ${k.label}`,
        () => {
          const x = tf.tensor4d(k.xData, k.x);
          const f = tf.tensor4d(k.fData, k.filter);
          const b = tf.tensor1d(k.bias);
          return [
            tf.depthwiseConv2d(x, f, k.strides, k.pad, 'NHWC', k.dilations),
            tf.fused.depthwiseConv2d({
              x,
              filter: f,
              strides: k.strides,
              pad: k.pad,
              dilations: k.dilations,
              bias: b,
              activation: 'relu',
            }),
          ];
        },
        ['DepthwiseConv2dNative', 'FusedDepthwiseConv2D'],
      );
    }
  });

  test('both depthwise backprops through tf.grad', async () => {
    // TF.js's convolution gradients do not support dilations.
    for (const k of convCases(6, 25, true, false)) {
      await assertMatchesCpu(
        `depthwise grads ${k.label}`,
        () => {
          const x = tf.tensor4d(k.xData, k.x);
          const f = tf.tensor4d(k.fData, k.filter);
          const loss = (a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(
              tf.square(
                tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, k.strides, k.pad, 'NHWC', k.dilations),
              ),
            );
          return tf.grads(loss)([x, f]);
        },
        ['DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'],
      );
    }
  });
});

describe('eager convolutions convert through shared scratch arrays', { skip: skipNative }, () => {
  test('convolutions of other shapes reuse the arrays the largest one grew, and stay right', async () => {
    const addon = loadAddon().addon as NativeAddon;
    // The largest first, then smaller ones, then the largest again: every pass (forward, both gradients)
    // reads its operands through the same three arrays. In fp32 only the filter and its gradient are
    // converted (to a blocked layout), so the largest has the largest filter: 5×5×9×16, where the random
    // cases stop at 5×5×9×12.
    const cases = convCases(11, 4, false, false);
    const largest: ConvCase = {
      ...cases[0],
      label: 'largest',
      x: [2, 24, 24, 9],
      filter: [5, 5, 9, 16],
      xData: randomData(rng(12), [2, 24, 24, 9]),
      fData: randomData(rng(13), [5, 5, 9, 16]),
    };
    const grads = (k: ConvCase) => () => {
      const loss = (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, k.strides, k.pad)));
      return tf.grads(loss)([tf.tensor4d(k.xData, k.x), tf.tensor4d(k.fData, k.filter)]);
    };
    await assertMatchesCpu(`grads ${largest.label}`, grads(largest), ['Conv2DBackpropFilter']);
    const grown = addon.convScratchBytes();
    assert.ok(grown > 0, 'the filter is converted to oneDNN’s blocked layout through the scratch arrays');
    for (const k of [...cases, largest]) await assertMatchesCpu(`grads ${k.label}`, grads(k));
    assert.equal(addon.convScratchBytes(), grown, 'smaller convolutions hold no memory of their own');
  });
});
