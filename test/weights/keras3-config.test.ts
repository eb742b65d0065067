import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import h5wasm from 'h5wasm/node';
import { initBackend } from '../../src/engine/backend.js';
import { keras3ToTfjsTopology, loadKerasWeights } from '../../src/weights/index.js';

let dir: string;
before(async () => {
  await initBackend();
  dir = mkdtempSync(path.join(os.tmpdir(), 'visionlab-keras3-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

// Keras 3's serialisation of objects and dtypes, as in the config.json of a .keras file.
const dtype = {
  module: 'keras',
  class_name: 'DTypePolicy',
  config: { name: 'float32' },
  registered_name: null,
};
const initializer = (className: string) => ({
  module: 'keras.initializers',
  class_name: className,
  config: { seed: null },
  registered_name: null,
});
const layer = (className: string, config: Record<string, unknown>) => ({
  module: 'keras.layers',
  class_name: className,
  config: { trainable: true, dtype, ...config },
  registered_name: null,
});

/** A Keras 3 `Sequential([Input((8, 8, 3)), Conv2D(4, 3, relu), GlobalAveragePooling2D(), Dense(2)])` config. */
const sequential = {
  module: 'keras',
  class_name: 'Sequential',
  registered_name: null,
  config: {
    name: 'seq',
    trainable: true,
    dtype,
    layers: [
      { ...layer('InputLayer', { batch_shape: [null, 8, 8, 3], name: 'input_layer', sparse: false }) },
      layer('Conv2D', {
        name: 'conv',
        filters: 4,
        kernel_size: [3, 3],
        strides: [1, 1],
        padding: 'same',
        groups: 1,
        activation: 'relu',
        use_bias: true,
        kernel_initializer: initializer('GlorotUniform'),
        bias_initializer: initializer('Zeros'),
      }),
      layer('GlobalAveragePooling2D', { name: 'gap', keepdims: false }),
      layer('Dense', {
        name: 'dense',
        units: 2,
        activation: 'linear',
        kernel_initializer: initializer('GlorotUniform'),
        bias_initializer: initializer('Zeros'),
      }),
    ],
  },
};

describe('Keras 3 config.json → TF.js', () => {
  it('builds a Sequential model, and Keras 3 weights without layer names load by object path', async () => {
    const modelTopology = keras3ToTfjsTopology(
      sequential,
      'seq.keras',
    ) as unknown as tf.io.ModelJSON['modelTopology'];
    const model = await tfl.models.modelFromJSON({ modelTopology });
    assert.deepEqual(
      model.layers.map((l) => [l.name, l.getClassName()]),
      [
        ['input_layer', 'InputLayer'],
        ['conv', 'Conv2D'],
        ['gap', 'GlobalAveragePooling2D'],
        ['dense', 'Dense'],
      ],
    );
    assert.equal(model.countParams(), 3 * 3 * 3 * 4 + 4 + 4 * 2 + 2);

    // An older Keras 3 model.weights.h5: `layers/<class>/vars/<i>`, no `name` attributes.
    await h5wasm.ready;
    const file = path.join(dir, 'seq.weights.h5');
    const handle = new h5wasm.File(file, 'w');
    const values: Record<string, [number[], Float32Array][]> = {
      conv2d: [
        [[3, 3, 3, 4], Float32Array.from({ length: 108 }, (_, i) => (i % 7) / 10 - 0.3)],
        [[4], Float32Array.from([0.1, -0.1, 0.2, -0.2])],
      ],
      dense: [
        [[4, 2], Float32Array.from([1, -1, 0.5, 2, -0.5, 0.25, 3, 1])],
        [[2], Float32Array.from([0.05, -0.05])],
      ],
    };
    const layers = handle.create_group('layers');
    for (const [key, vars] of Object.entries(values)) {
      const group = layers.create_group(key).create_group('vars');
      vars.forEach(([shape, data], i) => group.create_dataset({ name: String(i), data, shape, dtype: '<f' }));
    }
    layers.create_group('global_average_pooling2d').create_group('vars');
    handle.close();
    const report = await loadKerasWeights(model, file);
    assert.equal(report.layout, 'keras3-weights');
    assert.equal(report.rule, 'by-path');
    assert.equal(report.loaded.length, 4);
    assert.deepEqual(
      Array.from(model.getLayer('dense').getWeights()[0].dataSync()),
      Array.from(values.dense[0][1]),
    );
    assert.deepEqual(
      Array.from(model.getLayer('conv').getWeights()[1].dataSync()),
      Array.from(values.conv2d[1][1]),
    );
    model.dispose();
  });

  it('names every layer whose type or option TF.js lacks', () => {
    const conv = (name: string, groups: number) => ({
      ...layer('Conv2D', { name, filters: 8, kernel_size: [3, 3], groups }),
      name,
    });
    const config = {
      class_name: 'Functional',
      config: {
        name: 'm',
        layers: [
          conv('grouped', 4),
          conv('plain', 1),
          { class_name: 'MysteryLayer', name: 'odd', config: {} },
        ],
        input_layers: [],
        output_layers: [],
      },
    };
    assert.throws(
      () => keras3ToTfjsTopology(config, 'm.keras'),
      /m\.keras: 2 layer\(s\) have no TF\.js counterpart: grouped \(Conv2D groups=4\), odd \(MysteryLayer\)/,
    );
  });
});
