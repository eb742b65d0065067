import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/engine/backend.js';
import { buildModel, getModel, normalizeModelName } from '../../src/models/index.js';
import { parseTrainConfig } from '../../src/train/config.js';
import { buildModelFor, defaultInputShape } from '../../src/train/training-setup.js';

describe('model registry', () => {
  before(async () => {
    await initBackend();
  });

  it('normalises a model name once: trimmed, lower case, - as _', () => {
    assert.equal(normalizeModelName('  MobileNet-V2-NSFWJS '), 'mobilenet_v2_nsfwjs');
    assert.equal(normalizeModelName('small_cnn'), 'small_cnn');
    assert.equal(getModel(' Small-CNN '), getModel('small_cnn'));
  });

  it('builds small_cnn through its entry: one sigmoid unit for two classes, softmax for more', () => {
    const binary = buildModel('small-cnn', { classes: 2 });
    const ten = buildModel('small_cnn', { classes: 10, inputShape: [28, 28, 3] });
    // conv1 3·3·1·32+32, conv2 3·3·32·64+64, fc1 (7·7·64)·64+64, predictions 64·units+units.
    assert.equal(binary.countParams(), 320 + 18_496 + 200_768 + 65);
    assert.equal(ten.countParams(), 3 * 3 * 3 * 32 + 32 + 18_496 + 200_768 + 650);
    assert.deepEqual(binary.outputs[0].shape, [null, 1]);
    assert.equal(binary.getLayer('predictions').getConfig().activation, 'sigmoid');
    assert.equal(ten.getLayer('predictions').getConfig().activation, 'softmax');
    assert.equal(binary.name, 'small_cnn');
    binary.dispose();
    ten.dispose();
  });

  it('takes every default input shape from the entry, in any spelling of the name', () => {
    assert.deepEqual(defaultInputShape(parseTrainConfig({ model: 'Small-CNN' })), [28, 28, 1]);
    assert.deepEqual(defaultInputShape(parseTrainConfig({ model: 'mobilenet-v2-nsfwjs' })), [224, 224, 3]);
    assert.deepEqual(
      defaultInputShape(parseTrainConfig({ model: 'alexnet_mini', imageSize: [64, 48] })),
      [64, 48, 3],
    );
  });

  it('trains a backbone-only entry with a new head, its weights from the entry’s own loader', async () => {
    const spec = getModel('mobilenet_v2_nsfwjs');
    assert.equal(spec.defaultClasses, 0);
    const before = tf.memory().numTensors;
    const built = await buildModelFor(parseTrainConfig({ model: 'MobileNet-V2-nsfwjs' }), 3, [32, 32, 3]);
    assert.equal(built.preprocessing, 'raw');
    assert.equal(built.weights, 'random initial weights');
    assert.deepEqual(built.model.outputs[0].shape, [null, 3]);
    // The backbone is nsfwjs' own topology (2,257,984 parameters), then Dense(3) on its 1280 channels.
    assert.equal(built.model.countParams(), 2_257_984 + 1280 * 3 + 3);
    built.model.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
