import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendInfo } from '../../src/engine/backend.js';
import { getModel, preprocessInput, type InputShape } from '../../src/models/index.js';
import { maxAbsDiff, saveAndLoad, snapshot } from './roundtrip.js';

/** Smallest inputs each family accepts, to keep one training step fast. */
const TINY: Record<string, InputShape> = {
  alexnet_mini: [40, 40, 3],
  alexnet: [67, 67, 3],
  googlenet: [32, 32, 3],
  small_cnn: [28, 28, 1],
  inception_v3: [75, 75, 3],
};
const MODELS = [
  'alexnet_mini',
  'small_cnn',
  'alexnet',
  'googlenet',
  'vgg16',
  'vgg19',
  'resnet50',
  'resnet101',
  'mobilenet_v2',
  'efficientnet_b0',
  'efficientnet_b1',
  'efficientnet_b2',
  'efficientnet_b3',
  'inception_v3',
  'densenet121',
  'convnext_tiny',
];
/** On the pure-JS `cpu` backend a step of the large models takes minutes; these still run there. */
const CPU_MODELS = new Set(['alexnet_mini', 'small_cnn', 'mobilenet_v2']);

let backend: BackendInfo;

describe('every model trains one step and survives a save/load round trip', () => {
  before(async () => {
    backend = await initBackend();
  });
  after(() => tf.disposeVariables());

  for (const name of MODELS) {
    it(name, async (t) => {
      if (backend.name === 'cpu' && !CPU_MODELS.has(name)) {
        t.skip(`one training step of ${name} takes minutes on the cpu backend; runs on native/wasm`);
        return;
      }
      const spec = getModel(name);
      const inputShape = TINY[name] ?? [32, 32, 3];
      const classes = 3;
      const model = spec.build({ inputShape, classes });
      assert.deepEqual(model.outputs[0].shape, [null, classes]);
      // Adam's first step moves each weight by about the learning rate, whatever the gradient: at these
      // tiny inputs, batch normalisation over 1×1 maps of 2 examples can make plain SGD gradients explode.
      model.compile({ optimizer: tf.train.adam(1e-4), loss: 'categoricalCrossentropy' });
      const x = tf.tidy(() =>
        preprocessInput(tf.randomUniform([2, ...inputShape], 0, 255, 'float32', 7), spec.preprocessing),
      );
      const y = tf.oneHot(tf.tensor1d([0, 2], 'int32'), classes);
      const weightsBefore = snapshot(model);
      const tensorsBefore = tf.memory().numTensors;
      const loss = (await model.trainOnBatch(x, y)) as number;
      assert.ok(Number.isFinite(loss), `loss ${loss}`);
      // The only new tensors are Adam's two moment slots per trainable weight.
      assert.equal(
        tf.memory().numTensors,
        tensorsBefore + 2 * model.trainableWeights.length,
        'a training step leaks no tensor',
      );
      const weightsAfter = snapshot(model);
      assert.ok(
        weightsAfter.some((w, i) => w.some((v, j) => v !== weightsBefore[i][j])),
        'the step changed the weights',
      );

      const loaded = await saveAndLoad(model);
      assert.equal(loaded.countParams(), model.countParams());
      assert.deepEqual(
        loaded.layers.map((l) => l.name),
        model.layers.map((l) => l.name),
      );
      const p1 = model.predict(x) as tf.Tensor;
      const p2 = loaded.predict(x) as tf.Tensor;
      assert.equal(maxAbsDiff(p1, p2), 0, 'identical predictions after loading');
      tf.dispose([x, y, p1, p2]);
      model.dispose();
      loaded.dispose();
    });
  }
});
