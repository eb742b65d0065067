import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/engine/backend.js';
import { buildConvNeXt } from '../../src/models/convnext.js';
import { buildEfficientNetB0 } from '../../src/models/efficientnet.js';
import { buildMobileNetV2 } from '../../src/models/mobilenet-v2.js';
import {
  loadKerasModel,
  loadKerasWeights,
  readKerasH5,
  type WeightImportReport,
} from '../../src/weights/index.js';
import { kerasFixture, relativeError, type KerasFixture } from '../helpers/keras-fixtures.js';

before(async () => {
  await initBackend();
});

const weightCount = (model: tfl.LayersModel): number => model.weights.length;

/** The fixture criterion: every model weight loaded, output within 1e-4 of Keras' relative to its largest value. */
function assertMatchesKeras(model: tfl.LayersModel, fixture: KerasFixture, report: WeightImportReport): void {
  assert.deepEqual(report.missingInFile, []);
  assert.deepEqual(report.shapeMismatches, []);
  assert.equal(report.loaded.length, weightCount(model));
  assert.equal(model.countParams(), fixture.params);
  const before = tf.memory().numTensors;
  const output = model.predict(fixture.input) as tf.Tensor;
  assert.deepEqual(output.shape, fixture.outputShape);
  const error = relativeError(output, fixture.output);
  output.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.ok(error < 1e-4, `relative error ${error}`);
  fixture.input.dispose();
}

describe('Keras-written weight files load by Keras rules and compute what Keras computed', () => {
  it('auto_named_cnn.h5: layers named conv2d_1… by an older Keras load by layer order', async () => {
    const fixture = kerasFixture('auto_named_cnn');
    // The model of auto_named_cnn.architecture.json, with TF.js' own automatic names.
    const input = tfl.input({ shape: [32, 32, 3] });
    let x = input;
    for (const filters of [8, 16, 16]) {
      x = tfl.layers
        .conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false })
        .apply(x) as tfl.SymbolicTensor;
      x = tfl.layers.batchNormalization({ scale: false }).apply(x) as tfl.SymbolicTensor;
      x = tfl.layers.activation({ activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
    }
    x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
    const model = tfl.model({
      inputs: input,
      outputs: tfl.layers.dense({ units: 5 }).apply(x) as tfl.SymbolicTensor,
    });
    assert.equal(model.layers.filter((l) => l.weights.length > 0).length, fixture.layersWithWeights);

    await assert.rejects(loadKerasWeights(model, fixture.file('.h5'), { rule: 'by-name' }), (err: Error) => {
      assert.match(
        err.message,
        /auto_named_cnn\.h5 does not fit .* \(by layer name\): 14 weight\(s\) missing/,
      );
      return true;
    });
    const report = await loadKerasWeights(model, fixture.file('.h5'));
    assert.equal(report.rule, 'by-order');
    assert.equal(report.layout, 'keras-weights');
    assert.deepEqual(report.unusedInFile, []);
    assertMatchesKeras(model, fixture, report);
    model.dispose();
  });

  it('efficientnet_b0_notop.h5: by name, Normalization with its int64 scalar count', async () => {
    const fixture = kerasFixture('efficientnet_b0_notop');
    const contents = await readKerasH5(fixture.file('.h5'));
    const normalization = contents.layers.find((l) => l.name === 'normalization');
    assert.deepEqual(
      normalization?.weights.map((w) => [w.name, w.shape]),
      [
        ['normalization/mean:0', [3]],
        ['normalization/variance:0', [3]],
        ['normalization/count:0', []],
      ],
    );
    // The file comes from Keras' weights=None architecture: no ImageNet Rescaling after Normalization.
    const model = buildEfficientNetB0({ classes: 0, imagenetRescaling: false, initializeWeights: false });
    const report = await loadKerasWeights(model, fixture.file('.h5'));
    assert.equal(report.rule, 'by-name');
    assert.ok(report.loaded.includes('normalization/count'));
    assert.deepEqual(report.unusedInFile, []);
    const [mean, variance, count] = model.getLayer('normalization').getWeights();
    assert.deepEqual(Array.from(mean.dataSync()), Array.from(normalization!.weights[0].values));
    assert.deepEqual(Array.from(variance.dataSync()), Array.from(normalization!.weights[1].values));
    assert.equal(count.dataSync()[0], 0);
    // The stored output is not what Keras computes from this file: gen_fixtures.py jitters the weights with
    // set_weights, and Keras 3's Normalization reads its mean/variance variables only in finalize_state()
    // (keras/src/layers/preprocessing/normalization.py), which load_weights calls
    // (legacy_h5_format._set_weights) but set_weights does not. Keras predicted with the build-time
    // statistics, mean 0 and variance 1; with those, the rest of the network must agree.
    const asKerasRan = tf.tidy(() => [tf.zeros([3]), tf.ones([3]), count.clone()]);
    model.getLayer('normalization').setWeights(asKerasRan);
    tf.dispose(asKerasRan);
    assertMatchesKeras(model, fixture, report);
    model.dispose();
  });

  it('convnext_small_nested.h5: the nested Sequential stem and downsampling groups split into their layers', async () => {
    const fixture = kerasFixture('convnext_small_nested');
    const model = buildConvNeXt({
      modelName: 'convnext_tiny',
      depths: [1, 1, 1, 1],
      projectionDims: [16, 32, 64, 128],
      inputShape: [64, 64, 3],
      classes: 0,
      initializeWeights: false,
    });
    const report = await loadKerasWeights(model, fixture.file('.h5'));
    assert.equal(report.rule, 'by-name');
    assert.ok(report.loaded.includes('convnext_tiny_stem_conv/kernel'));
    assert.ok(report.loaded.includes('convnext_tiny_downsampling_conv_2/bias'));
    // Keras' Conv2D(groups=C) kernels [7, 7, 1, C] hold the depthwise kernels [7, 7, C, 1] in the same order.
    assert.equal(report.reshaped.length, 4);
    assert.deepEqual(report.unusedInFile, []);
    assertMatchesKeras(model, fixture, report);
    model.dispose();
  });

  it('mobilenet_v2_035_96.weights.h5: Keras 3 layout, by name and by Keras 3 object path alike', async () => {
    const fixture = kerasFixture('mobilenet_v2_035_96');
    const build = (): tfl.LayersModel =>
      buildMobileNetV2({ alpha: 0.35, inputShape: [96, 96, 3], classes: 10, initializeWeights: false });
    const byPath = build();
    const pathReport = await loadKerasWeights(byPath, fixture.file('.weights.h5'), { rule: 'by-path' });
    assert.equal(pathReport.layout, 'keras3-weights');
    assert.equal(pathReport.rule, 'by-path');
    const model = build();
    const report = await loadKerasWeights(model, fixture.file('.weights.h5'));
    assert.equal(report.rule, 'by-name');
    assert.deepEqual(report.unusedInFile, []);
    model.weights.forEach((w, i) =>
      assert.deepEqual(w.read().dataSync(), byPath.weights[i].read().dataSync(), w.originalName),
    );
    byPath.dispose();
    assertMatchesKeras(model, fixture, report);
    model.dispose();
  });

  it('mobilenet_v2_035_96.keras: the whole model, architecture from config.json and weights', async () => {
    const fixture = kerasFixture('mobilenet_v2_035_96');
    const { model, report, kerasVersion } = await loadKerasModel(fixture.file('.keras'));
    assert.equal(kerasVersion, '3.15.1');
    assert.equal(model.name, 'mobilenetv2_0.35_96');
    assert.equal(model.layers.filter((l) => l.weights.length > 0).length, fixture.layersWithWeights);
    assert.equal(report.layout, 'keras3-weights');
    assert.deepEqual(report.unusedInFile, []);
    // The same weights load into the zoo's MobileNetV2 (alpha 0.35): the imported graph is Keras' own.
    const zoo = buildMobileNetV2({
      alpha: 0.35,
      inputShape: [96, 96, 3],
      classes: 10,
      initializeWeights: false,
    });
    const zooReport = await loadKerasWeights(zoo, fixture.file('.keras'));
    assert.equal(zooReport.loaded.length, report.loaded.length);
    assert.equal(zoo.countParams(), model.countParams());
    zoo.dispose();
    assertMatchesKeras(model, fixture, report);
    model.dispose();
  });
});
