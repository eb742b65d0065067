import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../src/engine/wasm-training-kernels.js';
import { randInt, randomData, relativeError, rng } from './native-helpers.js';

const require = createRequire(import.meta.url);
setWasmPaths(
  path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep,
);
registerWasmTrainingKernels();

async function gradsOn(backend: 'cpu' | 'wasm', fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const out = tf.tidy(() => fn().map((t) => Float32Array.from(t.dataSync())));
  assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
  return out;
}

test('wasm convolves strided `same` convolutions right (its own kernel returns zeros for some)', async () => {
  const r = rng(42);
  const xData = randomData(r, [3, 7, 4, 5]);
  const fData = randomData(r, [2, 1, 5, 2]);
  const run = () => [
    tf.conv2d(tf.tensor4d(xData, [3, 7, 4, 5]), tf.tensor4d(fData, [2, 1, 5, 2]), [1, 2], 'same'),
    tf.depthwiseConv2d(tf.tensor4d(xData, [3, 7, 4, 5]), tf.tensor4d(fData, [2, 1, 5, 2]), [2, 2], 'same'),
  ];
  const expected = await gradsOn('cpu', run);
  const actual = await gradsOn('wasm', run);
  for (let j = 0; j < expected.length; j++)
    assert.ok(relativeError(actual[j], expected[j]) <= 1e-4, `output ${j}`);
});

test('wasm trains convolutions: its Conv2DBackpropFilter and depthwise backprops match cpu', async () => {
  const r = rng(41);
  for (let i = 0; i < 24; i++) {
    const depthwise = i % 2 === 1;
    const shape: [number, number, number, number] = [
      randInt(r, 1, 3),
      randInt(r, 4, 11),
      randInt(r, 4, 11),
      randInt(r, 1, 6),
    ];
    const kh = randInt(r, 1, 4);
    const kw = randInt(r, 1, 4);
    const out = depthwise ? randInt(r, 1, 2) : randInt(r, 1, 6);
    const pad = (['same', 'valid'] as const)[randInt(r, 0, 1)];
    const strides: [number, number] = [randInt(r, 1, 3), randInt(r, 1, 3)];
    const filterShape: [number, number, number, number] = [kh, kw, shape[3], out];
    const xData = randomData(r, shape);
    const fData = randomData(r, filterShape);
    const run = () => {
      const x = tf.tensor4d(xData, shape);
      const f = tf.tensor4d(fData, filterShape);
      const loss = (a: tf.Tensor, b: tf.Tensor) => {
        const y = depthwise
          ? tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad)
          : tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad);
        return tf.sum(tf.square(y));
      };
      return tf.grads(loss)([x, f]);
    };
    const label = `${depthwise ? 'depthwise' : 'conv2d'} x=${shape} filter=${filterShape} strides=${strides} ${pad}`;
    const expected = await gradsOn('cpu', run);
    const actual = await gradsOn('wasm', run);
    for (let j = 0; j < expected.length; j++) {
      const err = relativeError(actual[j], expected[j]);
      assert.ok(err <= 1e-4, `${label} gradient ${j}: relative error ${err}`);
    }
  }
});
