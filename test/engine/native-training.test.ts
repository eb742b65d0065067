import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { randomData, rng, skipNative } from './native-helpers.js';

/** conv → pool → depthwise → conv → global pool → dense: touches every kernel a CNN trains through. */
function smallCnn(): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(tfl.layers.conv2d({ inputShape: [12, 12, 3], filters: 8, kernelSize: 3, activation: 'relu' }));
  model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(
    tfl.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
  );
  model.add(tfl.layers.averagePooling2d({ poolSize: 2 }));
  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ units: 8, activation: 'relu' }));
  model.add(tfl.layers.dense({ units: 1, activation: 'sigmoid' }));
  return model;
}

async function lossCurve(backend: 'cpu' | 'native', steps: number): Promise<number[]> {
  await tf.setBackend(backend);
  const r = rng(31);
  const model = smallCnn();
  model.setWeights(
    model.getWeights().map((w) =>
      tf.tensor(
        randomData(r, w.shape).map((v) => v * 0.5),
        w.shape,
      ),
    ),
  );
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy' });
  const x = tf.tensor4d(randomData(r, [8, 12, 12, 3]), [8, 12, 12, 3]);
  const y = tf.tensor2d([1, 0, 1, 1, 0, 0, 1, 0], [8, 1]);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) losses.push((await model.trainOnBatch(x, y)) as number);
  tf.dispose([x, y]);
  model.dispose();
  return losses;
}

describe('training on the native backend', () => {
  test(
    'a small CNN follows the same loss curve over 20 Adam steps as on cpu',
    { skip: skipNative },
    async () => {
      const cpu = await lossCurve('cpu', 20);
      const native = await lossCurve('native', 20);
      assert.ok(cpu[19] < cpu[0] * 0.9, `the reference run should learn (${cpu[0]} → ${cpu[19]})`);
      for (let i = 0; i < cpu.length; i++) {
        assert.ok(
          Math.abs(native[i] - cpu[i]) <= 1e-3 * Math.max(1, Math.abs(cpu[i])),
          `step ${i}: native loss ${native[i]} vs cpu ${cpu[i]}`,
        );
      }
    },
  );

  test('tf.memory().numTensors stays flat over 200 training steps', async () => {
    // On cpu when the addon is not built: the leak check then covers the same training loop.
    await tf.setBackend(skipNative ? 'cpu' : 'native');
    const model = tfl.sequential();
    model.add(tfl.layers.conv2d({ inputShape: [6, 6, 2], filters: 4, kernelSize: 3, activation: 'relu' }));
    model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    model.add(tfl.layers.flatten());
    model.add(tfl.layers.dense({ units: 1, activation: 'sigmoid' }));
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy' });
    const x = tf.randomUniform([4, 6, 6, 2], 0, 1, 'float32', 7);
    const y = tf.tensor2d([1, 0, 1, 0], [4, 1]);
    await model.trainOnBatch(x, y);
    const after1 = tf.memory().numTensors;
    for (let i = 1; i < 200; i++) await model.trainOnBatch(x, y);
    assert.equal(tf.memory().numTensors, after1, 'tensors leaked during training');
    tf.dispose([x, y]);
    model.dispose();
  });
});
