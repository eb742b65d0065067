import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/engine/backend.js';
import { getModel, listModels, preprocessInput, VisionlabError } from '../../src/index.js';

const close = (actual: ArrayLike<number>, expected: number[]): void => {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++)
    assert.ok(Math.abs(actual[i] - expected[i]) < 1e-4, `${actual[i]} ≠ ${expected[i]} at ${i}`);
};

// Expected values from the formulas of keras/src/applications/imagenet_utils.py `_preprocess_numpy_input`.
describe('preprocessInput follows Keras imagenet_utils.preprocess_input', () => {
  before(async () => {
    await initBackend();
  });
  const pixel = () => tf.tensor4d([255, 0, 127.5, 10, 20, 30], [1, 1, 2, 3]);

  it('tf: x / 127.5 - 1', () => {
    close(preprocessInput(pixel(), 'tf').dataSync(), [
      1,
      -1,
      0,
      10 / 127.5 - 1,
      20 / 127.5 - 1,
      30 / 127.5 - 1,
    ]);
  });

  it('torch: x / 255, minus the ImageNet mean, over the ImageNet std, per RGB channel', () => {
    close(preprocessInput(pixel(), 'torch').dataSync(), [
      (1 - 0.485) / 0.229,
      (0 - 0.456) / 0.224,
      (0.5 - 0.406) / 0.225,
      (10 / 255 - 0.485) / 0.229,
      (20 / 255 - 0.456) / 0.224,
      (30 / 255 - 0.406) / 0.225,
    ]);
  });

  it('caffe: RGB to BGR, minus [103.939, 116.779, 123.68], no scaling', () => {
    close(preprocessInput(pixel(), 'caffe').dataSync(), [
      127.5 - 103.939,
      0 - 116.779,
      255 - 123.68,
      30 - 103.939,
      20 - 116.779,
      10 - 123.68,
    ]);
  });

  it('raw: a float copy; integer input is accepted', () => {
    const x = tf.tensor4d([1, 2, 3], [1, 1, 1, 3], 'int32');
    const y = preprocessInput(x, 'raw');
    assert.equal(y.dtype, 'float32');
    close(y.dataSync(), [1, 2, 3]);
  });

  it('leaks no tensor and rejects unknown modes and non-RGB input for caffe/torch', () => {
    const x = pixel();
    const n = tf.memory().numTensors;
    preprocessInput(x, 'torch').dispose();
    assert.equal(tf.memory().numTensors, n);
    assert.throws(() => preprocessInput(x, 'bgr' as never), VisionlabError);
    assert.throws(() => preprocessInput(tf.zeros([1, 2, 2, 1]), 'caffe'), /3 channels/);
  });

  it('each zoo model names its mode as Keras does', () => {
    assert.equal(getModel('resnet50').preprocessing, 'caffe');
    assert.equal(getModel('vgg16').preprocessing, 'caffe');
    assert.equal(getModel('mobilenet_v2').preprocessing, 'tf');
    assert.equal(getModel('efficientnet_b0').preprocessing, 'raw');
    for (const spec of listModels())
      assert.ok(['tf', 'torch', 'caffe', 'raw'].includes(spec.preprocessing), spec.name);
  });

  it('the registry names unknown models and lists the known ones', () => {
    assert.throws(
      () => getModel('resnet49'),
      (err: Error) =>
        err instanceof VisionlabError && /resnet49/.test(err.message) && /resnet50/.test(err.message),
    );
    assert.equal(getModel('ResNet-50'.replace('-', '')).name, 'resnet50');
    assert.equal(getModel('mobilenet-v2').name, 'mobilenet_v2');
  });
});
