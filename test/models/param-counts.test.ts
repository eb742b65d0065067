import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/engine/backend.js';
import { buildModel, getModel, summarizeModel, type BuildOptions } from '../../src/models/index.js';

/**
 * Expected totals are the numbers Keras prints for `keras.applications` models.
 * With top: the "Parameters" column of the Keras Applications table,
 *   keras-team/keras-io templates/api/applications/index.md (https://keras.io/api/applications/).
 * Without top (include_top=False, pooling=None): the with-top number minus the classifier Keras adds
 *   in the same source files (keras/src/applications/*.py: `Dense(classes)` on the pooled features,
 *   plus VGG's `fc1`/`fc2`), i.e. total − (features·1000 + 1000); for ResNet50 this is the
 *   23,587,712 (trainable 23,534,592, non-trainable 53,120) printed by `ResNet50(include_top=False).summary()`.
 * The same subtraction gives what public `summary()` printouts of the headless models show:
 *   InceptionV3(include_top=False) 21,802,784 (non-trainable 34,432), DenseNet121(include_top=False)
 *   7,037,504 (non-trainable 83,648), with top 23,851,784 / 8,062,504 (non-trainable 34,432 / 83,648).
 * ConvNeXtTiny is newer than that table: 28,589,128 is the count of the reference implementation
 *   (torchvision/timm `convnext_tiny`, identical layers), and a frozen `ConvNeXtTiny(include_top=False)`
 *   summary prints "Non-trainable params: 27,820,128" (its head LayerNorm stays without top).
 * Non-trainable counts are Keras' BatchNormalization moving statistics (2 per channel), plus the
 * Normalization layer's mean, variance and count (7) for EfficientNet.
 */
interface Expected {
  withTop: number;
  withoutTop: number;
  nonTrainable: number;
}

const KERAS: Record<string, Expected> = {
  vgg16: {
    withTop: 138_357_544,
    withoutTop: 138_357_544 - (4096 * 4096 + 4096) - (25088 * 4096 + 4096) - 4_097_000,
    nonTrainable: 0,
  },
  vgg19: {
    withTop: 143_667_240,
    withoutTop: 143_667_240 - (4096 * 4096 + 4096) - (25088 * 4096 + 4096) - 4_097_000,
    nonTrainable: 0,
  },
  resnet50: { withTop: 25_636_712, withoutTop: 25_636_712 - (2048 * 1000 + 1000), nonTrainable: 53_120 },
  resnet101: { withTop: 44_707_176, withoutTop: 44_707_176 - (2048 * 1000 + 1000), nonTrainable: 105_344 },
  mobilenet_v2: { withTop: 3_538_984, withoutTop: 3_538_984 - (1280 * 1000 + 1000), nonTrainable: 34_112 },
  efficientnet_b0: { withTop: 5_330_571, withoutTop: 5_330_571 - (1280 * 1000 + 1000), nonTrainable: 42_023 },
  efficientnet_b1: { withTop: 7_856_239, withoutTop: 7_856_239 - (1280 * 1000 + 1000), nonTrainable: 62_055 },
  efficientnet_b2: { withTop: 9_177_569, withoutTop: 9_177_569 - (1408 * 1000 + 1000), nonTrainable: 67_575 },
  inception_v3: { withTop: 23_851_784, withoutTop: 23_851_784 - (2048 * 1000 + 1000), nonTrainable: 34_432 },
  densenet121: { withTop: 8_062_504, withoutTop: 8_062_504 - (1024 * 1000 + 1000), nonTrainable: 83_648 },
  convnext_tiny: { withTop: 28_589_128, withoutTop: 28_589_128 - (768 * 1000 + 1000), nonTrainable: 0 },
  efficientnet_b3: {
    withTop: 12_320_535,
    withoutTop: 12_320_535 - (1536 * 1000 + 1000),
    nonTrainable: 87_303,
  },
};

function counts(
  name: string,
  options: BuildOptions,
): { total: number; nonTrainable: number; shape: unknown } {
  const model = buildModel(name, { ...options, initializeWeights: false });
  const s = summarizeModel(model);
  const result = { total: s.totalParams, nonTrainable: s.nonTrainableParams, shape: model.outputs[0].shape };
  if (Object.keys(options).length === 0) {
    // The figures `visionlab models` shows without building must be the built model's.
    assert.deepEqual(getModel(name).stats, { params: s.totalParams, flops: s.flops });
  }
  model.dispose();
  return result;
}

describe('parameter counts equal what Keras prints', () => {
  before(async () => {
    await initBackend();
  });

  it('the without-top figures agree with the ResNet50(include_top=False) summary Keras prints', () => {
    assert.equal(KERAS.resnet50.withoutTop, 23_587_712);
    assert.equal(KERAS.mobilenet_v2.withoutTop, 2_257_984);
    assert.equal(KERAS.efficientnet_b0.withoutTop, 4_049_571);
    assert.equal(KERAS.vgg16.withoutTop, 14_714_688);
  });

  for (const [name, expected] of Object.entries(KERAS)) {
    it(`${name}: ${expected.withTop.toLocaleString('en-US')} with top, ${expected.withoutTop.toLocaleString('en-US')} without`, () => {
      const top = counts(name, {});
      assert.equal(top.total, expected.withTop);
      assert.equal(top.nonTrainable, expected.nonTrainable);
      assert.deepEqual(top.shape, [null, 1000]);
      const headless = counts(name, { classes: 0 });
      assert.equal(headless.total, expected.withoutTop);
      assert.equal(headless.nonTrainable, expected.nonTrainable);
      assert.equal((headless.shape as number[]).length, 4, 'classes: 0 returns the feature map');
      const pooled = counts(name, { classes: 0, pooling: 'avg' });
      assert.equal(pooled.total, expected.withoutTop);
      assert.equal((pooled.shape as number[]).length, 2);
    });
  }

  it('layer structure: as many layers as the Keras models list', () => {
    // len(base_model.layers) of the headless Keras models, as printed in the TensorFlow transfer-learning
    // tutorial (MobileNetV2: "Number of layers in the base model: 154") and in public notebooks (InceptionV3: 311).
    for (const [name, layers] of [
      ['mobilenet_v2', 154],
      ['inception_v3', 311],
    ] as const) {
      const model = buildModel(name, { classes: 0, initializeWeights: false });
      assert.equal(model.layers.length, layers, name);
      model.dispose();
    }
  });

  it('Keras options: includeTop false, max pooling, classes and classifier activation', () => {
    const maxPooled = buildModel('mobilenet_v2', {
      includeTop: false,
      pooling: 'max',
      initializeWeights: false,
    });
    assert.deepEqual(maxPooled.outputs[0].shape, [null, 1280]);
    assert.equal(maxPooled.layers.at(-1)!.getClassName(), 'GlobalMaxPooling2D');
    const logits = buildModel('resnet50', {
      classes: 5,
      classifierActivation: null,
      initializeWeights: false,
    });
    assert.deepEqual(logits.outputs[0].shape, [null, 5]);
    assert.equal((logits.getLayer('predictions').getConfig() as { activation: string }).activation, 'linear');
    assert.equal(logits.countParams(), 23_587_712 + 2048 * 5 + 5);
    // With a top, pooling is ignored, as in Keras.
    assert.deepEqual(
      buildModel('mobilenet_v2', { classes: 2, pooling: 'max', initializeWeights: false }).outputs[0].shape,
      [null, 2],
    );
    assert.throws(() => buildModel('resnet50', { includeTop: true, classes: 0 }), /classes > 0/);
    assert.throws(() => buildModel('resnet50', { inputShape: [16, 16, 3] }), /at least 32/);
    for (const m of [maxPooled, logits]) m.dispose();
  });

  it("EfficientNetV2-B0…B3: the counts of the authors' own implementation, with and without top", () => {
    // google/automl efficientnetv2/effnetv2_model_test.py (test_effnetv2): 7,200,312 / 8,212,124 /
    // 10,178,374 / 14,467,622; the Keras Applications table rounds them to 7.2M, 8.2M, 10.2M, 14.5M.
    // Without top: minus the classifier Dense(1000) on the top_conv features (1280, 1280, 1408, 1536).
    const published: Array<[string, number, number]> = [
      ['efficientnet_v2_b0', 7_200_312, 1280],
      ['efficientnet_v2_b1', 8_212_124, 1280],
      ['efficientnet_v2_b2', 10_178_374, 1408],
      ['efficientnet_v2_b3', 14_467_622, 1536],
    ];
    for (const [name, params, features] of published) {
      const top = counts(name, {});
      assert.equal(top.total, params, name);
      assert.deepEqual(top.shape, [null, 1000]);
      assert.equal(getModel(name).stats?.params, params);
      const headless = counts(name, { classes: 0 });
      assert.equal(headless.total, params - (features * 1000 + 1000), name);
    }
  });

  it('alexnet_mini: 7,742,721 as Keras prints for the user model (issue "native backend", last section)', () => {
    const m = counts('alexnet_mini', {});
    assert.equal(m.total, 7_742_721);
    assert.deepEqual(m.shape, [null, 1]);
  });

  it('alexnet: 62,378,344, counted by hand from Krizhevsky et al. (2012) as one tower', () => {
    // conv1 11·11·3·96+96, conv2 5·5·96·256+256, conv3 3·3·256·384+384, conv4 3·3·384·384+384,
    // conv5 3·3·384·256+256, fc6 6·6·256·4096+4096, fc7 4096·4096+4096, fc8 4096·1000+1000
    const byHand =
      11 * 11 * 3 * 96 +
      96 +
      (5 * 5 * 96 * 256 + 256) +
      (9 * 256 * 384 + 384) +
      (9 * 384 * 384 + 384) +
      (9 * 384 * 256 + 256) +
      (6 * 6 * 256 * 4096 + 4096) +
      (4096 * 4096 + 4096) +
      (4096 * 1000 + 1000);
    assert.equal(byHand, 62_378_344);
    assert.equal(counts('alexnet', {}).total, byHand);
  });
});
