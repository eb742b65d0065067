import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { autoRgn, relativeGradientNorm } from '../../src/tune/auto-rgn.js';
import { ArrayDataset, initTrainingBackend } from '../train/helpers.js';

before(async () => {
  await initTrainingBackend();
});

/** z = v · b · a · mean(x) + c, p = σ(z): a stem, one stage and a head, each a single scalar weight. */
function chain(a: number, b: number, v: number, c: number): tfl.LayersModel {
  const input = tfl.input({ shape: [2, 2, 1] });
  const conv = (name: string) => tfl.layers.conv2d({ filters: 1, kernelSize: 1, useBias: false, name });
  let x = conv('stem_conv').apply(input);
  x = conv('stack1_block1_conv').apply(x);
  x = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(x);
  const out = tfl.layers.dense({ units: 1, activation: 'sigmoid', name: 'predictions' }).apply(x);
  const model = tfl.model({ inputs: input, outputs: out as tfl.SymbolicTensor });
  const weights = [
    tf.tensor4d([a], [1, 1, 1, 1]),
    tf.tensor4d([b], [1, 1, 1, 1]),
    tf.tensor2d([v], [1, 1]),
    tf.tensor1d([c]),
  ];
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

test('Auto-RGN: ‖g‖/‖w‖ per stem, stage and head, averaged over batches, against the chain rule by hand', async () => {
  const [a, b, v, c] = [0.5, 2, 0.8, 0.1];
  const images = [
    [1, 2, 3, 2],
    [0, 1, 0, 1],
    [4, 0, 2, 2],
    [1, 1, 1, 3],
  ];
  const labels = [1, 0, 1, 0];
  const model = chain(a, b, v, c);
  const data = new ArrayDataset(Float32Array.from(images.flat()), Int32Array.from(labels), 2, 2, 2);
  const tensors = tf.memory().numTensors;
  const result = await autoRgn(model, data, { batches: 2 });
  assert.equal(tf.memory().numTensors, tensors, 'no tensor left behind');
  assert.equal(result.batches, 2);

  // By hand: dL/dz_i = (p_i − y_i)/n for the mean binary cross-entropy; the rest is the chain rule.
  const perBatch = [0, 2].map((start) => {
    const g = { a: 0, b: 0, v: 0, c: 0 };
    for (let i = start; i < start + 2; i++) {
      const m = images[i].reduce((s, p) => s + p, 0) / 4;
      const p = 1 / (1 + Math.exp(-(v * b * a * m + c)));
      const dz = (p - labels[i]) / 2;
      g.a += dz * v * b * m;
      g.b += dz * v * a * m;
      g.v += dz * a * b * m;
      g.c += dz;
    }
    return g;
  });
  const mean = (f: (g: (typeof perBatch)[number]) => number) => (f(perBatch[0]) + f(perBatch[1])) / 2;
  const expected: Record<string, number> = {
    stem: mean((g) => Math.abs(g.a) / a),
    'stage 1': mean((g) => Math.abs(g.b) / b),
    head: mean((g) => Math.hypot(g.v, g.c) / Math.hypot(v, c)),
  };
  assert.deepEqual(
    result.units.map((u) => u.unit),
    ['stem', 'stage 1', 'head'],
  );
  for (const u of result.units) {
    const want = expected[u.unit];
    assert.ok(Math.abs(u.rgn - want) < 1e-5 * want, `${u.unit}: ${u.rgn}, by hand ${want}`);
  }
  // Over several layers together: ‖(g_a, g_b)‖ / ‖(a, b)‖, averaged over the batches.
  const both = relativeGradientNorm(result.layers, new Set([1, 2]))!;
  const want = mean((g) => Math.hypot(g.a, g.b) / Math.hypot(a, b));
  assert.ok(Math.abs(both - want) < 1e-5 * want, `stem and stage: ${both}, by hand ${want}`);
  assert.equal(relativeGradientNorm(result.layers, new Set([0])), undefined, 'the input holds no weights');
  model.dispose();
});
