import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { loadAddon } from '../../src/engine/native/addon.js';
import {
  detectPrecisionSupport,
  getPrecision,
  parsePrecision,
  precisionSupportFor,
  setPrecision,
  withPrecision,
} from '../../src/engine/precision.js';
import { VisionlabError } from '../../src/errors.js';
import { runCli } from '../helpers/run-cli.js';
import { randInt, randomData, relativeError, rng, runOn, skipNative } from './native-helpers.js';

afterEach(() => setPrecision('fp32'));

describe('precision choice', () => {
  test('bf16 is offered exactly where oneDNN dispatches to AVX512_BF16 or AMX', () => {
    assert.deepEqual(precisionSupportFor('avx512_core_bf16').precisions, ['fp32', 'bf16']);
    assert.deepEqual(precisionSupportFor('avx512_core_amx').precisions, ['fp32', 'bf16']);
    for (const isa of ['avx2', 'avx512_core', 'avx512_core_vnni']) {
      const support = precisionSupportFor(isa);
      assert.deepEqual(support.precisions, ['fp32']);
      assert.match(support.bf16Missing ?? '', new RegExp(`neither AVX512_BF16 nor AMX.*${isa}`));
    }
  });

  test('bf16 on a CPU without it is refused with a VisionlabError that says what to do', () => {
    const withoutBf16 = precisionSupportFor('avx512_core');
    assert.throws(
      () => setPrecision('bf16', withoutBf16),
      (err: unknown) =>
        err instanceof VisionlabError &&
        /--precision bf16 is not available: this CPU has neither AVX512_BF16 nor AMX \(oneDNN dispatches to avx512_core\)/.test(
          err.message,
        ) &&
        /--precision fp32/.test(err.message),
    );
    assert.equal(getPrecision(), 'fp32');
    setPrecision('fp32', withoutBf16);
    assert.equal(getPrecision(), 'fp32');
  });

  test('precision names are parsed case-insensitively; others are refused', () => {
    assert.equal(parsePrecision(' BF16 '), 'bf16');
    assert.equal(parsePrecision('fp32'), 'fp32');
    assert.throws(() => parsePrecision('fp16'), VisionlabError);
  });

  test('detection reads the ISA the addon reports', { skip: skipNative }, () => {
    const { addon } = loadAddon();
    assert.equal(detectPrecisionSupport().isa, addon?.info().isa);
  });

  test('withPrecision restores the previous precision, also after an error', async () => {
    await assert.rejects(
      withPrecision('fp32', async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(getPrecision(), 'fp32');
  });

  test('visionlab info names the ISA and the precisions; train refuses an unknown precision', async () => {
    const info = await runCli(['info', '--json']);
    assert.equal(info.code, 0);
    const json = JSON.parse(info.stdout) as Record<string, string>;
    assert.equal(json.precisions, detectPrecisionSupport().precisions.join(', '));
    assert.ok(json.onednnIsa);
    const bad = await runCli(['train', '--precision', 'fp16', '--epochs', '1']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /precision/);
  });
});

const bf16 = detectPrecisionSupport().precisions.includes('bf16');

/** Relative errors of each output of `fn` on native in bf16 against the cpu backend in fp32. */
async function bf16Errors(fn: () => tf.Tensor[]): Promise<number[]> {
  const expected = await runOn('cpu', fn);
  await tf.setBackend('native');
  setPrecision('bf16');
  const actual = await runOn('native', fn);
  setPrecision('fp32');
  return expected.map((e, j) => relativeError(actual[j], e));
}

describe('bf16 matrix products', { skip: skipNative || (!bf16 && 'this CPU has no bf16') }, () => {
  test('match the fp32 cpu backend within bf16 rounding, gradients included', async () => {
    const r = rng(41);
    const errors: number[] = [];
    for (let i = 0; i < 12; i++) {
      const [m, n, k] = [randInt(r, 2, 40), randInt(r, 2, 40), randInt(r, 8, 300)];
      const batch = randInt(r, 1, 3);
      const ta = r() < 0.5;
      const tb = r() < 0.5;
      const aShape = [batch, ta ? k : m, ta ? m : k];
      const bShape = [batch, tb ? n : k, tb ? k : n];
      const aData = randomData(r, aShape);
      const bData = randomData(r, bShape);
      const biasData = randomData(r, [n]);
      const fn = () => {
        const a = tf.tensor(aData, aShape);
        const b = tf.tensor(bData, bShape);
        const bias = tf.tensor(biasData);
        const loss = (p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.matMul(p, q, ta, tb)));
        const fused = tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias, activation: 'relu' });
        return [tf.matMul(a, b, ta, tb), fused, ...tf.grads(loss)([a, b])];
      };
      errors.push(...(await bf16Errors(fn)));
    }
    const [least, worst] = [Math.min(...errors), Math.max(...errors)];
    // Operands rounded to 8 significant bits: about 2^-9 relative each. Measured on Zen 5: 5e-4 to 5.2e-3.
    assert.ok(worst < 2e-2, `worst relative error ${worst}`);
    // ...and the products really were computed from rounded operands (fp32 agrees to ~1e-6).
    assert.ok(least > 1e-5, `least relative error ${least}: bf16 did not take effect`);
  });

  test('convolutions too: regular and depthwise, forward with bias and ReLU, both gradients', async () => {
    const r = rng(43);
    const errors: number[] = [];
    for (let i = 0; i < 8; i++) {
      const [h, w, c, f] = [randInt(r, 5, 14), randInt(r, 5, 14), randInt(r, 2, 16), randInt(r, 2, 16)];
      const k = randInt(r, 1, 3);
      const stride = randInt(r, 1, 2);
      const xShape: [number, number, number, number] = [2, h, w, c];
      const xData = randomData(r, xShape);
      const wData = randomData(r, [k, k, c, f]);
      const dwData = randomData(r, [k, k, c, 1]);
      const biasData = randomData(r, [f]);
      const fn = () => {
        const x = tf.tensor4d(xData, xShape);
        const filter = tf.tensor4d(wData, [k, k, c, f]);
        const depthwise = tf.tensor4d(dwData, [k, k, c, 1]);
        const bias = tf.tensor1d(biasData);
        const loss = (a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) =>
          tf.add(
            tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, 'same'))),
            tf.sum(tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, d as tf.Tensor4D, stride, 'valid'))),
          );
        const fused = tf.fused.conv2d({ x, filter, strides: stride, pad: 'same', bias, activation: 'relu' });
        return [
          fused,
          tf.depthwiseConv2d(x, depthwise, stride, 'valid'),
          ...tf.grads(loss)([x, filter, depthwise]),
        ];
      };
      errors.push(...(await bf16Errors(fn)));
    }
    const [least, worst] = [Math.min(...errors), Math.max(...errors)];
    // Measured on Zen 5: 1.1e-3 to 3.2e-3.
    assert.ok(worst < 2e-2, `worst relative error ${worst}`);
    assert.ok(least > 1e-5, `least relative error ${least}: bf16 did not take effect`);
  });
});

describe(
  'bf16 convolution backward passes',
  { skip: skipNative || (!bf16 && 'this CPU has no bf16') },
  () => {
    /** Gradients of Σ conv(x, filter) · g, whose upstream gradient g does not depend on the bf16 forward. */
    async function gradientErrors(mode: string, size: number): Promise<number[]> {
      const r = rng(size);
      const xShape: [number, number, number, number] = [2, size, size, 3];
      const wShape: [number, number, number, number] = [3, 3, 3, 8];
      const xData = randomData(r, xShape);
      const wData = randomData(r, wShape);
      const gData = randomData(r, [2, size, size, 8]);
      const fn = () => {
        const x = tf.tensor4d(xData, xShape);
        const filter = tf.tensor4d(wData, wShape);
        const g = tf.tensor4d(gData, [2, size, size, 8]);
        const loss = (a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), g));
        return tf.grads(loss)([x, filter]);
      };
      const saved = process.env.VISIONLAB_TUNE;
      process.env.VISIONLAB_TUNE = mode;
      try {
        return await bf16Errors(fn);
      } finally {
        if (saved === undefined) delete process.env.VISIONLAB_TUNE;
        else process.env.VISIONLAB_TUNE = saved;
      }
    }

    test('run in bf16, or in float32 where VISIONLAB_TUNE says so (each shape keeps its first choice)', async () => {
      // Each mode gets its own input size: a shape's primitives are built once, with the mode of that moment.
      const inBf16 = await gradientErrors('0', 9);
      assert.ok(
        Math.min(...inBf16) > 1e-5,
        `VISIONLAB_TUNE=0: errors ${inBf16}, so bf16 did not take effect`,
      );
      assert.ok(Math.max(...inBf16) < 2e-2, `VISIONLAB_TUNE=0: errors ${inBf16}`);
      const inFloat32 = await gradientErrors('fp32-backward', 10);
      assert.ok(Math.max(...inFloat32) < 1e-5, `VISIONLAB_TUNE=fp32-backward: errors ${inFloat32}`);
      const timed = await gradientErrors('all', 11);
      assert.ok(Math.max(...timed) < 2e-2, `VISIONLAB_TUNE=all: errors ${timed}`);
    });
  },
);
