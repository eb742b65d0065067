import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import h5wasm from 'h5wasm/node';
import { initBackend } from '../../src/engine/backend.js';
import { VisionlabError } from '../../src/errors.js';
import { buildDavit } from '../../src/models/davit/index.js';
import {
  layersOf,
  loadKerasModel,
  loadWeightsH5,
  readKerasH5,
  saveWeightsH5,
  writeKerasH5,
} from '../../src/weights/index.js';

const TINY = { depths: [2, 2, 2, 2], widths: [8, 16, 24, 32], heads: [1, 2, 2, 4] };
const tinyDavit = (numClasses = 10): tfl.LayersModel =>
  buildDavit(TINY, { inputShape: [64, 64, 3], numClasses }, 'davit_tiny');

let dir: string;
before(async () => {
  await initBackend();
  dir = mkdtempSync(path.join(os.tmpdir(), 'visionlab-h5-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Bytes of every weight, by `<layer>/<weight>`. */
function weightBytes(model: tfl.LayersModel): Map<string, Buffer> {
  return new Map(
    model.weights.map((w) => {
      const data = w.read().dataSync() as Float32Array;
      return [w.originalName, Buffer.from(data.buffer, data.byteOffset, data.byteLength)];
    }),
  );
}

function assertSameWeights(a: tfl.LayersModel, b: tfl.LayersModel, skip: RegExp = /$^/): void {
  const left = weightBytes(a);
  const right = weightBytes(b);
  let compared = 0;
  for (const [name, bytes] of right) {
    if (skip.test(name)) continue;
    assert.ok(left.get(name)?.equals(bytes), `${name} differs`);
    compared++;
  }
  assert.ok(compared > 0);
}

describe('Keras .h5 weights', () => {
  for (const layout of ['keras-model', 'keras-weights'] as const) {
    it(`round-trips every weight bit for bit in the ${layout} layout`, async () => {
      const source = tinyDavit();
      const file = path.join(dir, `${layout}.h5`);
      await saveWeightsH5(source, file, layout);
      const contents = await readKerasH5(file);
      assert.equal(contents.layout, layout);
      const qkv = contents.layers.find((l) => l.name === 'stack1_block1_attn_qkv');
      assert.deepEqual(
        qkv?.weights.map((w) => [w.name, w.shape]),
        [
          ['stack1_block1_attn_qkv/kernel:0', [8, 24]],
          ['stack1_block1_attn_qkv/bias:0', [24]],
        ],
      );
      const target = tinyDavit();
      const report = await loadWeightsH5(target, file);
      assert.equal(report.loaded.length, target.weights.length);
      assert.deepEqual([report.missingInFile, report.unusedInFile, report.shapeMismatches], [[], [], []]);
      assertSameWeights(source, target);
    });
  }

  it('loads a full model file into a headless backbone and reports the head it did not use', async () => {
    const source = tinyDavit(10);
    const file = path.join(dir, 'full.h5');
    await saveWeightsH5(source, file, 'keras-model');
    const backbone = tinyDavit(0);
    const report = await loadWeightsH5(backbone, file);
    assert.deepEqual(report.unusedInFile.sort(), [
      'predictions/predictions/bias:0',
      'predictions/predictions/kernel:0',
    ]);
    assert.equal(report.loaded.length, backbone.weights.length);
    assertSameWeights(source, backbone);
  });

  it('refuses to leave weights at random values, naming them; non-strict loads what fits and reports the rest', async () => {
    const file = path.join(dir, 'headless.h5');
    await saveWeightsH5(tinyDavit(0), file);
    const full = tinyDavit(10);
    await assert.rejects(loadWeightsH5(full, file), (err: Error) => {
      assert.ok(err instanceof VisionlabError);
      assert.match(
        err.message,
        /2 weight\(s\) missing from the file \(predictions\/kernel, predictions\/bias\)/,
      );
      return true;
    });
    const allowed = await loadWeightsH5(full, file, { allowMissing: /^predictions\// });
    assert.deepEqual(allowed.missingInFile, ['predictions/kernel', 'predictions/bias']);
    const lenient = await loadWeightsH5(tinyDavit(10), file, { strict: false });
    assert.equal(lenient.missingInFile.length, 2);
  });

  it('checks every shape', async () => {
    const file = path.join(dir, 'ten-classes.h5');
    await saveWeightsH5(tinyDavit(10), file);
    await assert.rejects(
      loadWeightsH5(tinyDavit(3), file),
      /predictions\/kernel: file \[32,10\] vs model \[32,3\]/,
    );
    const report = await loadWeightsH5(tinyDavit(3), file, { strict: false });
    assert.equal(report.shapeMismatches.length, 2);
  });

  it('reads a keras.applications-style file written directly with h5wasm, old weight names by position', async () => {
    await h5wasm.ready;
    const file = path.join(dir, 'applications.h5');
    const kernel = Float32Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => i / 100 - 0.5);
    const bias = Float32Array.from([0.1, -0.2, 0.3, -0.4]);
    const gamma = Float32Array.from([1, 2, 3, 4]);
    const handle = new h5wasm.File(file, 'w');
    handle.create_attribute('layer_names', ['input_1', 'block1_conv1', 'bn'], [3], 'S12');
    handle.create_group('input_1').create_attribute('weight_names', new Float32Array(0), [0]);
    const conv = handle.create_group('block1_conv1');
    conv.create_attribute('weight_names', ['block1_conv1_W_1:0', 'block1_conv1_b_1:0'], [2], 'S18');
    conv.create_dataset({ name: 'block1_conv1_W_1:0', data: kernel, shape: [3, 3, 3, 4], dtype: '<f' });
    conv.create_dataset({ name: 'block1_conv1_b_1:0', data: bias, shape: [4], dtype: '<f' });
    const bn = handle.create_group('bn');
    bn.create_attribute(
      'weight_names',
      ['bn/gamma:0', 'bn/beta:0', 'bn/moving_mean:0', 'bn/moving_variance:0'],
      [4],
      'S20',
    );
    const bnGroup = bn.create_group('bn');
    for (const name of ['gamma', 'beta', 'moving_mean', 'moving_variance']) {
      bnGroup.create_dataset({
        name: `${name}:0`,
        data: name === 'gamma' ? gamma : new Float32Array(4),
        shape: [4],
        dtype: '<f',
      });
    }
    handle.close();

    const input = tfl.input({ shape: [8, 8, 3] });
    const x = tfl.layers
      .conv2d({ filters: 4, kernelSize: 3, name: 'block1_conv1' })
      .apply(input) as tfl.SymbolicTensor;
    const y = tfl.layers.batchNormalization({ name: 'bn' }).apply(x) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: y });
    const report = await loadWeightsH5(model, file);
    assert.equal(report.layout, 'keras-weights');
    assert.equal(report.loaded.length, 6);
    assert.deepEqual(
      Array.from(model.getLayer('block1_conv1').getWeights()[0].dataSync()),
      Array.from(kernel),
    );
    assert.deepEqual(Array.from(model.getLayer('block1_conv1').getWeights()[1].dataSync()), Array.from(bias));
    assert.deepEqual(Array.from(model.getLayer('bn').getWeights()[0].dataSync()), [1, 2, 3, 4]);
  });

  it('loads by layer order when a later Keras renamed layers and weights (conv1/conv → conv1_conv, depthwise_kernel → kernel)', async () => {
    const source = tinyDavit();
    const renamed = layersOf(source).map((layer, i) => ({
      name: `renamed_${i}`,
      weights: layer.weights.map((w) => ({
        ...w,
        name: `renamed_${i}/${w.name.split('/').pop()!.replace('depthwise_kernel', 'kernel')}`,
      })),
    }));
    assert.ok(renamed.some((l) => l.weights.some((w) => w.name.endsWith('/kernel:0'))));
    const file = path.join(dir, 'renamed.h5');
    await writeKerasH5(file, renamed);
    const target = tinyDavit();
    const report = await loadWeightsH5(target, file);
    assert.equal(report.rule, 'by-order');
    assert.equal(report.loaded.length, target.weights.length);
    assert.deepEqual([report.missingInFile, report.unusedInFile], [[], []]);
    assertSameWeights(source, target);
    // Forced by name, nothing fits, and the error says which rule was tried.
    await assert.rejects(loadWeightsH5(tinyDavit(), file, { rule: 'by-name' }), /\(by layer name\)/);
  });

  it('by layer order, a file with other layers is refused as Keras refuses it, naming both counts', async () => {
    const file = path.join(dir, 'other-layers.h5');
    const layers = layersOf(tinyDavit(0)).map((l, i) => ({ ...l, name: `other_${i}` }));
    await writeKerasH5(file, layers.slice(0, -3));
    await assert.rejects(loadWeightsH5(tinyDavit(0), file), (err: Error) => {
      assert.ok(err instanceof VisionlabError);
      assert.match(
        err.message,
        /other-layers\.h5 does not fit .*by layer order.*the file has \d+ layers with weights, the model \d+/,
      );
      return true;
    });
  });

  it('says which file is missing or unreadable', async () => {
    await assert.rejects(loadKerasModel(path.join(dir, 'nope.keras')), /nope\.keras does not exist/);
    const notZip = path.join(dir, 'not-zip.keras');
    await import('node:fs/promises').then((fs) => fs.writeFile(notZip, 'not a zip'));
    await assert.rejects(loadKerasModel(notZip), /not-zip\.keras is not a readable \.keras \(zip\) file/);
    await assert.rejects(readKerasH5(path.join(dir, 'nope.h5')), /nope\.h5 does not exist/);
    const bogus = path.join(dir, 'bogus.h5');
    await import('node:fs/promises').then((fs) => fs.writeFile(bogus, 'not hdf5'));
    await assert.rejects(readKerasH5(bogus), VisionlabError);
  });
});

void tf;
