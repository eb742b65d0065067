import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { unzipSync, strFromU8 } from 'fflate';
import h5wasm from 'h5wasm/node';
import { initBackend } from '../../src/engine/backend.js';
import { VisionlabError } from '../../src/errors.js';
import { keras3WeightPaths, saveKeras, saveKerasH5 } from '../../src/export/index.js';
import { getModel } from '../../src/models/index.js';
import { loadWeightsH5 } from '../../src/weights/index.js';
import { h5Outline } from './h5-structure.js';
import { buildSmall, diffAndRange, randomizeWeights } from './zoo-models.js';

const FIXTURES = '/work/shared/keras-fixtures';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'visionlab-keras-'));

/** `auto_named_cnn.h5`'s model, with the fixture's layer names. */
function autoNamedCnn(): tfl.LayersModel {
  const input = tfl.input({ shape: [32, 32, 3], name: 'input_layer_7' });
  let x: tfl.SymbolicTensor = input;
  [8, 16, 16].forEach((filters, i) => {
    x = tfl.layers
      .conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, name: `conv2d_${i + 1}` })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers
      .batchNormalization({ scale: false, name: `batch_normalization_${i + 1}` })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers
      .activation({ activation: 'relu', name: `activation_${i + 1}` })
      .apply(x) as tfl.SymbolicTensor;
  });
  x = tfl.layers
    .globalAveragePooling2d({ name: 'global_average_pooling2d_1' })
    .apply(x) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 5, name: 'dense_1' }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

function predict(model: tfl.LayersModel, x: tf.Tensor): Float32Array {
  return tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
}

describe('Keras export', () => {
  before(async () => {
    await initBackend();
    await h5wasm.ready;
  });
  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('keras-h5 has the layout of a Keras 2 save_weights file, attribute for attribute', async () => {
    const model = autoNamedCnn();
    const file = path.join(tmp, 'auto_named_cnn.h5');
    await saveKerasH5(model, file);
    const keep = (attr: string): boolean => attr !== 'keras_version';
    assert.deepEqual(
      await h5Outline(file, keep),
      await h5Outline(path.join(FIXTURES, 'auto_named_cnn.h5'), keep),
    );
    model.dispose();
  });

  for (const name of [
    'alexnet_mini',
    'googlenet',
    'resnet50',
    'mobilenet_v2',
    'efficientnet_b0',
    'convnext_tiny',
    'davit_t',
  ]) {
    it(`keras-h5 of ${name} loads back through the .h5 importer with the same outputs`, async () => {
      const spec = getModel(name);
      const { model, size } = buildSmall(spec);
      randomizeWeights(model, 3);
      const file = path.join(tmp, `${name}.h5`);
      await saveKerasH5(model, file);
      const fresh = buildSmall(spec).model;
      const report = await loadWeightsH5(fresh, file);
      assert.equal(report.missingInFile.length, 0, `missing: ${report.missingInFile.join(', ')}`);
      assert.equal(report.loaded.length, model.weights.length);
      const x = tf.randomUniform([2, size, size, 3], -1, 1, 'float32', 5);
      const { maxDiff, range } = diffAndRange(predict(model, x), predict(fresh, x));
      assert.ok(range > 1e-3);
      assert.equal(maxDiff, 0);
      tf.dispose([x]);
      model.dispose();
      fresh.dispose();
    });
  }

  describe('.keras of MobileNetV2 (as the fixture mobilenet_v2_035_96.keras, at alpha 1)', () => {
    let ours: Record<string, Uint8Array> = {};
    let theirs: Record<string, Uint8Array> = {};
    let model: tfl.LayersModel;
    const file = path.join(tmp, 'mobilenet_v2.keras');

    before(async () => {
      model = getModel('mobilenet_v2').build({
        inputShape: [96, 96, 3],
        classes: 10,
        initializeWeights: false,
      });
      randomizeWeights(model, 4);
      await saveKeras(model, file);
      ours = unzipSync(new Uint8Array(await fs.readFile(file)));
      theirs = unzipSync(new Uint8Array(await fs.readFile(path.join(FIXTURES, 'mobilenet_v2_035_96.keras'))));
    });
    after(() => model.dispose());

    it('is a zip of the same three entries, metadata with the same keys', () => {
      assert.deepEqual(Object.keys(ours).sort(), Object.keys(theirs).sort());
      const meta = JSON.parse(strFromU8(ours['metadata.json'])) as Record<string, string>;
      assert.deepEqual(
        Object.keys(meta).sort(),
        Object.keys(JSON.parse(strFromU8(theirs['metadata.json']))).sort(),
      );
      assert.match(meta.date_saved, /^\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d$/);
    });

    it('config.json lists the same layers, classes, modules and inbound tensors as Keras wrote', () => {
      type Layer = {
        class_name: string;
        module: string;
        name: string;
        config: Record<string, unknown>;
        inbound_nodes: unknown[];
      };
      type Config = {
        class_name: string;
        module: string;
        config: { layers: Layer[]; input_layers: unknown; output_layers: unknown };
      };
      const a = JSON.parse(strFromU8(ours['config.json'])) as Config;
      const b = JSON.parse(strFromU8(theirs['config.json'])) as Config;
      assert.equal(a.class_name, b.class_name);
      assert.equal(a.module, b.module);
      assert.equal(a.config.layers.length, b.config.layers.length);
      // Keras named the input and the pooling layer automatically; visionlab names them itself.
      const autoNamed = (l: Layer[]): string[] =>
        l.filter((x) => /^(InputLayer|GlobalAveragePooling2D)$/.test(x.class_name)).map((x) => x.name);
      const rename = (value: unknown, layers: Layer[]): string =>
        autoNamed(layers)
          .reduce((text, name, k) => text.replaceAll(`"${name}"`, `"AUTO${k}"`), JSON.stringify(value))
          .replace(/"shape":\[[^\]]*\]/g, '"shape":[]');
      a.config.layers.forEach((layer, i) => {
        const other = b.config.layers[i];
        assert.equal(layer.class_name, other.class_name, `layer ${i}`);
        assert.equal(layer.module, other.module);
        assert.equal(rename(layer.name, a.config.layers), rename(other.name, b.config.layers));
        assert.equal(
          rename(layer.inbound_nodes, a.config.layers),
          rename(other.inbound_nodes, b.config.layers),
          layer.name,
        );
        for (const key of [
          'padding',
          'strides',
          'kernel_size',
          'activation',
          'use_bias',
          'epsilon',
          'momentum',
          'max_value',
          'axis',
          'depth_multiplier',
        ])
          if (key in other.config)
            assert.deepEqual(layer.config[key], other.config[key], `${layer.name}.${key}`);
      });
      assert.equal(
        rename(a.config.output_layers, a.config.layers),
        rename(b.config.output_layers, b.config.layers),
      );
    });

    it('model.weights.h5 has the groups, vars and names of the fixture, and its values load back', async () => {
      const weightsFile = path.join(tmp, 'model.weights.h5');
      await fs.writeFile(weightsFile, ours['model.weights.h5']);
      const theirsFile = path.join(tmp, 'fixture.weights.h5');
      await fs.writeFile(theirsFile, theirs['model.weights.h5']);
      // Same layout; shapes differ with alpha (1 here, 0.35 there); each model's names are checked below.
      const shape = (lines: string[]): string[] => lines.map((l) => l.replace(/ \[[\d,]*\] <f$/, ' <f'));
      assert.deepEqual(shape(await h5Outline(weightsFile)), shape(await h5Outline(theirsFile)));

      const fresh = getModel('mobilenet_v2').build({
        inputShape: [96, 96, 3],
        classes: 10,
        initializeWeights: false,
      });
      const handle = new h5wasm.File(weightsFile, 'r');
      try {
        for (const { layer, group } of keras3WeightPaths(fresh)) {
          const vars = handle.get(`layers/${group}/vars`) as InstanceType<typeof h5wasm.Group>;
          assert.equal(vars.attrs.name.value, layer.name);
          layer.weights.forEach((w, i) => {
            const data = (vars.get(String(i)) as InstanceType<typeof h5wasm.Dataset>).value as Float32Array;
            const t = tf.tensor(data, w.shape as number[]);
            w.write(t);
            t.dispose();
          });
        }
      } finally {
        handle.close();
      }
      const x = tf.randomUniform([1, 96, 96, 3], -1, 1, 'float32', 6);
      const { maxDiff, range } = diffAndRange(predict(model, x), predict(fresh, x));
      assert.ok(range > 1e-4);
      assert.equal(maxDiff, 0);
      x.dispose();
      fresh.dispose();
    });
  });

  it('.keras names the layer Keras lacks (DaViT attention)', async () => {
    const { model } = buildSmall(getModel('davit_t'));
    await assert.rejects(
      saveKeras(model, path.join(tmp, 'davit.keras')),
      (err: Error) =>
        err instanceof VisionlabError &&
        /Layer ".*" \((BatchReshape|SplitLastAxis|BatchMatMul|ScaleByConstant)[^)]*\) cannot be exported to Keras 3/.test(
          err.message,
        ),
    );
    model.dispose();
  });
});
