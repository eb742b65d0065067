import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/engine/backend.js';
import {
  buildGoogLeNet,
  GOOGLENET_LOSS_WEIGHTS,
  GOOGLENET_MODULES,
  googlenetInferenceModel,
  googlenetLosses,
  inception,
} from '../../src/models/index.js';
import { maxAbsDiff, saveAndLoad } from './roundtrip.js';

/** Parameters of one module with biases, from its filter counts (Szegedy et al. 2014, table 1). */
function moduleParams(cin: number, f: (typeof GOOGLENET_MODULES)[string]): number {
  return (
    cin * f.f1x1 +
    f.f1x1 +
    cin * f.f3x3Reduce +
    f.f3x3Reduce +
    9 * f.f3x3Reduce * f.f3x3 +
    f.f3x3 +
    cin * f.f5x5Reduce +
    f.f5x5Reduce +
    25 * f.f5x5Reduce * f.f5x5 +
    f.f5x5 +
    cin * f.poolProj +
    f.poolProj
  );
}

describe('GoogLeNet', () => {
  before(async () => {
    await initBackend();
  });

  it('inception 3a has 163,696 parameters on 192 input channels and outputs 256 channels', () => {
    const input = tfl.input({ shape: [28, 28, 192] });
    const out = inception(input, {
      f1x1: 64,
      f3x3Reduce: 96,
      f3x3: 128,
      f5x5Reduce: 16,
      f5x5: 32,
      poolProj: 32,
    });
    const model = tfl.model({ inputs: input, outputs: out });
    assert.equal(model.countParams(), 163_696);
    assert.deepEqual(out.shape, [null, 28, 28, 256]);
    model.dispose();
  });

  it('follows table 1: total parameters equal the sum over its layers, channels and spatial sizes match', () => {
    const model = buildGoogLeNet({ initializeWeights: false });
    const order = ['3a', '3b', '4a', '4b', '4c', '4d', '4e', '5a', '5b'];
    let cin = 192;
    let modules = 0;
    for (const id of order) {
      const f = GOOGLENET_MODULES[id];
      modules += moduleParams(cin, f);
      cin = f.f1x1 + f.f3x3 + f.f5x5 + f.poolProj;
    }
    const stem = 7 * 7 * 3 * 64 + 64 + (64 * 64 + 64) + (9 * 64 * 192 + 192);
    assert.equal(model.countParams(), stem + modules + (1024 * 1000 + 1000));
    assert.equal(model.countParams(), 6_998_552);
    assert.deepEqual(model.getLayer('inception_3b_output').outputShape, [null, 28, 28, 480]);
    assert.deepEqual(model.getLayer('inception_4e_output').outputShape, [null, 14, 14, 832]);
    assert.deepEqual(model.getLayer('inception_5b_output').outputShape, [null, 7, 7, 1024]);
    model.dispose();
  });

  it('auxiliary classifiers after 4a and 4d: extra outputs and parameters as in the paper', () => {
    const train = buildGoogLeNet({ auxiliaryOutputs: true, initializeWeights: false });
    assert.equal(train.outputs.length, 3);
    // each: 1x1 conv 512/528→128, dense 4·4·128→1024, classifier 1024→1000
    const aux = (cin: number) => cin * 128 + 128 + (2048 * 1024 + 1024) + (1024 * 1000 + 1000);
    assert.equal(train.countParams(), 6_998_552 + aux(512) + aux(528));
    assert.deepEqual(train.getLayer('aux1_ave_pool').outputShape, [null, 4, 4, 512]);
    assert.deepEqual(train.getLayer('aux2_ave_pool').outputShape, [null, 4, 4, 528]);
    assert.deepEqual(GOOGLENET_LOSS_WEIGHTS, [1, 0.3, 0.3]);
    train.dispose();
  });

  it('trains with its auxiliary heads (weighted 0.3) and exports without them, sharing the weights', async () => {
    const train = buildGoogLeNet({ inputShape: [72, 72, 3], classes: 2, auxiliaryOutputs: true });
    const losses = googlenetLosses('categoricalCrossentropy');
    // The weighted loss is 0.3 × the plain one.
    const yt = tf.tensor2d([[1, 0]]);
    const yp = tf.tensor2d([[0.6, 0.4]]);
    const plain = losses[0](yt, yp).dataSync()[0];
    assert.ok(Math.abs(losses[1](yt, yp).dataSync()[0] - 0.3 * plain) < 1e-6);
    assert.ok(Math.abs(plain - -Math.log(0.6)) < 1e-5);

    train.compile({ optimizer: tf.train.sgd(1e-3), loss: losses });
    const x = tf.randomUniform([2, 72, 72, 3], -1, 1, 'float32', 3);
    const y = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const history = (await train.trainOnBatch(x, [y, y, y])) as number[];
    assert.equal(history.length, 4, 'total loss and one per output');
    assert.ok(
      Math.abs(history[0] - (history[1] + history[2] + history[3])) < 1e-4,
      'total = main + weighted auxiliaries',
    );
    assert.ok(history.every(Number.isFinite));

    const evalModel = googlenetInferenceModel(train);
    assert.equal(evalModel.outputs.length, 1);
    assert.equal(
      evalModel.layers.some((l) => l.name.startsWith('aux')),
      false,
      'no auxiliary layer in the evaluation model',
    );
    assert.equal(
      evalModel.countParams(),
      buildGoogLeNet({ inputShape: [72, 72, 3], classes: 2, initializeWeights: false }).countParams(),
    );
    const fromTraining = (train.predict(x) as tf.Tensor[])[0];
    const fromEval = evalModel.predict(x) as tf.Tensor;
    assert.equal(maxAbsDiff(fromTraining, fromEval), 0, 'same layers, same weights');

    const exported = await saveAndLoad(evalModel);
    assert.equal(exported.outputs.length, 1);
    assert.equal(maxAbsDiff(exported.predict(x) as tf.Tensor, fromEval), 0);
    tf.dispose([x, y, yt, yp, fromTraining, fromEval]);
    train.dispose();
  });

  it('rejects auxiliary heads on inputs too small for their 5x5/3 pooling', () => {
    assert.throws(
      () => buildGoogLeNet({ inputShape: [32, 32, 3], auxiliaryOutputs: true }),
      /at least 65x65/,
    );
  });
});
