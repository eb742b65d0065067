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

describe('bf16 matrix products', { skip: skipNative || (!bf16 && 'this CPU has no bf16') }, () => {
  test('match the fp32 cpu backend within bf16 rounding, gradients included', async () => {
    const r = rng(41);
    let worst = 0;
    let least = Infinity;
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
      const expected = await runOn('cpu', fn);
      await tf.setBackend('native');
      setPrecision('bf16');
      const actual = await runOn('native', fn);
      setPrecision('fp32');
      expected.forEach((e, j) => {
        const err = relativeError(actual[j], e);
        worst = Math.max(worst, err);
        least = Math.min(least, err);
      });
    }
    // Operands rounded to 8 significant bits: about 2^-9 relative each. Measured on Zen 5: 5e-4 to 5.2e-3.
    assert.ok(worst < 2e-2, `worst relative error ${worst}`);
    // ...and the products really were computed from rounded operands (fp32 agrees to ~1e-6).
    assert.ok(least > 1e-5, `least relative error ${least}: bf16 did not take effect`);
  });
});
