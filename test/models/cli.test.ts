import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../../src/engine/backend.js';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildModel, getModel, modelStats, summarizeModel } from '../../src/models/index.js';
import { saveModel } from '../../src/train/model-io.js';
import { runCli as cli } from '../helpers/run-cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'visionlab-models-'));

describe('visionlab summary / diagram', () => {
  before(async () => {
    await initBackend();
  });
  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('summary --json prints one object with totals, FLOPs and layers', async () => {
    const r = await cli([
      'summary',
      'alexnet_mini',
      '--input-shape',
      '280,280,3',
      '--classes',
      '1',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.totalParams, 7_742_721);
    assert.equal(json.trainableParams, 7_742_721);
    assert.equal(json.nonTrainableParams, 0);
    assert.ok(json.flops > 6.2e9 && json.flops < 6.4e9);
    assert.deepEqual(Object.keys(json.layers[2]).slice(0, 4), ['name', 'className', 'outputShape', 'params']);
    assert.deepEqual(json.layers[2], {
      ...json.layers[2],
      name: 'conv2d',
      className: 'Conv2D',
      outputShape: [null, 92, 92, 96],
      params: 48_768,
    });
  });

  it('summary prints the Keras table; a smaller input changes the dense layer as in Keras', async () => {
    const r = await cli(['summary', 'alexnet_mini', '--input-shape', '140,140,3']);
    assert.equal(r.code, 0, r.stderr);
    // 140 → pad 146 → conv 45 → pool 22 → pool 10 → pool 5: Flatten 5·5·256 = 6400 → Dense 128
    assert.match(r.stdout, /dense \(Dense\) +\(None, 128\) +819,328/);
    assert.match(r.stdout, /Total params: /);
  });

  it('summary of an unknown model or a bad shape fails with a message, exit code 1', async () => {
    let r = await cli(['summary', 'resnet5']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no model called "resnet5".*\n.*resnet50/);
    r = await cli(['summary', 'resnet50', '--input-shape', '224,abc']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /224,abc/);
  });

  it('diagram writes a GoogLeNet SVG with every branch and the auxiliary heads, and a PNG', async () => {
    const svg = path.join(tmp, 'googlenet.svg');
    let r = await cli(['diagram', 'googlenet', '--auxiliary', '-o', svg]);
    assert.equal(r.code, 0, r.stderr);
    const text = await fs.readFile(svg, 'utf8');
    assert.match(text, /^<\?xml|<svg/);
    for (const layer of [
      'inception_3a_1x1',
      'inception_3a_3x3_reduce',
      'inception_3a_5x5',
      'inception_3a_pool_proj',
      'aux1_predictions',
      'aux2_fc',
    ]) {
      assert.ok(text.includes(layer), layer);
    }
    assert.ok(text.includes('(None, 28, 28, 256)'), 'shapes are shown');
    const png = path.join(tmp, 'alexnet_mini.png');
    r = await cli(['diagram', 'alexnet_mini', '-o', png]);
    assert.equal(r.code, 0, r.stderr);
    const bytes = await fs.readFile(png);
    assert.deepEqual([...bytes.subarray(1, 4)], [...Buffer.from('PNG')]);
    r = await cli(['diagram', 'alexnet_mini', '-o', path.join(tmp, 'x.gif')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\.svg, \.png or \.dot/);
  });

  it('summary reads a saved model folder; a nested backbone counts its parameters and FLOPs', async () => {
    const backbone = buildModel('mobilenet_v2', { inputShape: [32, 32, 3], classes: 0, pooling: 'avg' });
    const input = tfl.input({ shape: [32, 32, 3] });
    const features = backbone.apply(input) as tfl.SymbolicTensor;
    const output = tfl.layers
      .dense({ units: 1, activation: 'sigmoid', name: 'head' })
      .apply(features) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: output, name: 'transfer' });
    const dir = path.join(tmp, 'saved');
    await saveModel(model, dir);
    const r = await cli(['summary', dir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    const inner = summarizeModel(backbone);
    assert.equal(json.totalParams, inner.totalParams + 1281);
    assert.equal(
      json.flops,
      inner.flops + 2 * 1280 + 2,
      'backbone FLOPs plus the head (multiply-adds, bias, sigmoid)',
    );
    assert.equal(json.layers[1].className, 'Functional');
    model.dispose();
  });

  it('models without recorded figures are measured by building them', () => {
    const spec = getModel('small_cnn');
    const model = spec.build({});
    assert.deepEqual(modelStats(spec).params, model.countParams());
    model.dispose();
  });
});
