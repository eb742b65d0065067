import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/engine/backend.js';
import { VisionlabError } from '../../src/errors.js';
import {
  buildDavit,
  buildTransferModel,
  describeFreezing,
  registerModel,
  type TransferModel,
  type TransferModelOptions,
} from '../../src/models/index.js';
import { registerPretrainedSource, saveWeightsH5 } from '../../src/weights/index.js';

const TINY = { depths: [2, 2, 2, 2], widths: [8, 16, 24, 32], heads: [1, 2, 2, 4] };

let dir: string;
let server: http.Server;
let source: tfl.LayersModel;
let weightsFile: string;

before(async () => {
  await initBackend();
  dir = mkdtempSync(path.join(os.tmpdir(), 'visionlab-transfer-'));
  registerModel({
    name: 'davit_tiny_test',
    family: 'DaViT',
    defaultInputShape: [64, 64, 3],
    preprocessing: 'torch',
    description: 'a tiny DaViT for tests',
    build: (o = {}) =>
      buildDavit(TINY, {
        inputShape: o.inputShape ?? [64, 64, 3],
        numClasses: o.includeTop === false ? 0 : (o.classes ?? 10),
      }),
  });
  source = buildDavit(TINY, { inputShape: [64, 64, 3], numClasses: 10 });
  weightsFile = path.join(dir, 'davit_tiny_test_imagenet.h5');
  await saveWeightsH5(source, weightsFile, 'keras-model');
  const bytes = readFileSync(weightsFile);
  server = http.createServer((_req, res) => res.end(bytes));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registerPretrainedSource('davit_tiny_test', 'imagenet', {
    fileName: 'davit_tiny_test_imagenet.h5',
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/davit_tiny_test_imagenet.h5`,
    checksum: { algorithm: 'sha256', digest: createHash('sha256').update(bytes).digest('hex') },
    layout: 'keras-model',
    origin: 'test',
  });
});
after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const values = (model: tfl.LayersModel, layer: string): number[] =>
  Array.from(model.getLayer(layer).getWeights()[0].dataSync());

describe('buildTransferModel', () => {
  it("builds the user's DaViT-T model: 280×280, GAP → Dropout(0.3) → Dense(1, sigmoid), first 80 layers frozen", async () => {
    const t = await buildTransferModel({
      backbone: 'davit_t',
      inputShape: [280, 280, 3],
      dropout: 0.3,
      units: 1,
      activation: 'sigmoid',
      freezeUntil: 80,
    });
    assert.equal(t.model.countParams(), 27_591_937);
    assert.deepEqual(
      t.model.layers.slice(-3).map((l) => [l.getClassName(), l.name]),
      [
        ['GlobalAveragePooling2D', 'global_average_pooling2d'],
        ['Dropout', 'dropout'],
        ['Dense', 'dense'],
      ],
    );
    assert.equal(t.model.getLayer('dropout').getConfig().rate, 0.3);
    assert.equal(t.model.getLayer('dense').getConfig().activation, 'sigmoid');
    assert.equal(t.preprocessing, 'torch');
    assert.equal(t.weights.source, 'random');
    // 12 blocks × 16 + stem 4 + downsampling 12 + pre_output_ln 2 + head 2
    assert.equal(t.trainableVariablesBefore, 212);
    // frozen: stem (4), stage 1 (32), stage-2 downsampling (4), stack2_block1 CPE conv and LayerNorm (4)
    assert.equal(t.trainableVariablesAfter, 168);
    assert.deepEqual(
      t.frozenLayers,
      t.model.layers.slice(0, 80).map((l) => l.name),
    );
    assert.ok(t.frozenLayers.includes('stack2_block1_attn_ln'));
    assert.ok(!t.frozenLayers.includes('stack2_block1_attn_qkv'));
    assert.equal(t.trainableParamsBefore, 27_591_937);
    assert.ok(t.trainableParamsAfter < t.trainableParamsBefore);
    // stem 14,400 + stage 1 227,520 + stage-2 downsampling 74,112 + stack2_block1 CPE and LayerNorm 2,304
    assert.equal(t.trainableParamsBefore - t.trainableParamsAfter, 318_336);
    assert.equal(
      describeFreezing(t),
      'froze 318,336 of 27,591,937 parameters (1.2 %), 44 of 212 weight variables: layers 0–79, the stem, stage 1 and part of stage 2',
    );
    t.model.dispose();
  });

  it('freezes by stage with a name pattern', async () => {
    const t = await buildTransferModel({ backbone: 'davit_t', freezeNames: /^(stem|stack1)_/ });
    assert.equal(t.trainableVariablesAfter, 212 - 4 - 32);
    assert.ok(t.frozenLayers.every((n) => /^(stem|stack1)_/.test(n)));
    const byStage = await buildTransferModel({ backbone: 'davit_t', freezeStages: 1 });
    assert.equal(byStage.trainableVariablesAfter, 212 - 4 - 32);
    // The stage also takes the input and the unnamed layers inside it, which hold no weights.
    const extra = byStage.frozenLayers.filter((n) => !t.frozenLayers.includes(n));
    assert.ok(t.frozenLayers.every((n) => byStage.frozenLayers.includes(n)));
    assert.ok(extra.length > 0 && extra.every((n) => byStage.model.getLayer(n).weights.length === 0));
    t.model.dispose();
    byStage.model.dispose();
  });

  it("downloads the backbone's 'imagenet' weights into the cache and loads them, reporting the dropped head", async () => {
    const home = path.join(dir, 'home');
    const t = await buildTransferModel({
      backbone: 'davit_tiny_test',
      pretrained: 'imagenet',
      units: 3,
      download: { home, progress: false },
    });
    assert.equal(t.weights.source, 'h5');
    assert.deepEqual(t.weights.report?.unusedInFile.sort(), [
      'predictions/predictions/bias:0',
      'predictions/predictions/kernel:0',
    ]);
    assert.equal(t.weights.report?.missingInFile.length, 0);
    for (const layer of ['stem_conv', 'stack3_block2_channel_attn_qkv', 'pre_output_ln']) {
      assert.deepEqual(values(t.model, layer), values(source, layer), layer);
    }
    assert.equal(t.model.getLayer('dense').getConfig().activation, 'softmax');
    const fromPath = await buildTransferModel({ backbone: 'davit_tiny_test', pretrained: weightsFile });
    assert.deepEqual(
      values(fromPath.model, 'stack4_block2_mlp_Dense_1'),
      values(source, 'stack4_block2_mlp_Dense_1'),
    );
  });

  it('trains only what is not frozen', async () => {
    const t = await buildTransferModel({ backbone: 'davit_tiny_test', freezeNames: '^(stem|stack1)_' });
    t.model.compile({ optimizer: tf.train.sgd(0.1), loss: 'binaryCrossentropy' });
    const frozen = values(t.model, 'stem_conv');
    const trained = values(t.model, 'stack2_downsample_conv');
    const x = tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 3);
    await t.model.fit(x, tf.tensor2d([[0], [1]]), { epochs: 1, verbose: 0 });
    assert.deepEqual(values(t.model, 'stem_conv'), frozen);
    assert.notDeepEqual(values(t.model, 'stack2_downsample_conv'), trained);
  });

  it("builds on nsfwjs' pretrained MobileNetV2, offline", async () => {
    const t = await buildTransferModel({
      backbone: 'mobilenet_v2_nsfwjs',
      inputShape: [64, 64, 3],
      pretrained: 'nsfwjs',
      units: 3,
      dropout: 0.2,
      freezeUntil: 100,
    });
    assert.equal(t.model.countParams(), 2_257_984 + 1280 * 3 + 3);
    assert.equal(t.weights.source, 'bundled');
    assert.match(t.weights.description, /nsfwjs .*MIT/);
    assert.equal(t.preprocessing, 'raw');
    assert.equal(t.trainableVariablesBefore, 158);
    assert.ok(t.trainableVariablesAfter < 158);
  });

  it('explains bad requests', async () => {
    await assert.rejects(buildTransferModel({ backbone: 'davit_x' }), /no model called "davit_x"/);
    await assert.rejects(
      buildTransferModel({ backbone: 'davit_tiny_test', freezeUntil: 10_000 }),
      VisionlabError,
    );
    await assert.rejects(
      buildTransferModel({ backbone: 'mobilenet_v2_nsfwjs', pretrained: 'imagenet' }),
      /bundled weights/,
    );
    await assert.rejects(
      buildTransferModel({ backbone: 'davit_tiny_test', pretrained: 'imagenet21k' }),
      /Known: /,
    );
    await assert.rejects(buildTransferModel({ backbone: 'davit_tiny_test', dropout: 1 }), VisionlabError);
    await assert.rejects(
      buildTransferModel({ backbone: 'davit_tiny_test', freezeStages: 5 }),
      /freeze stages=5 is not a whole number from 0 to 4[^]*has 4 stages/,
    );
  });

  it('freezes the same weights by stage and block at every input size, where an index shifts with the padding layers', async () => {
    // At 56² stage 2's window attention adds a padding and a cropping layer (from index 74 on).
    const tinyAt = (size: number, freeze: Partial<TransferModelOptions>) =>
      buildTransferModel({ backbone: 'davit_tiny_test', inputShape: [size, size, 3], ...freeze });
    const at64 = await tinyAt(64, { freezeStages: 2 });
    const at56 = await tinyAt(56, { freezeStages: 2 });
    assert.equal(at56.model.layers.length, at64.model.layers.length + 2);
    const frozenWeights = (t: TransferModel) =>
      t.model.layers.filter((l) => !l.trainable).flatMap((l) => l.weights.map((_, i) => `${l.name}/${i}`));
    assert.deepEqual(frozenWeights(at56), frozenWeights(at64));
    assert.ok(frozenWeights(at64).includes('stack2_block2_mlp_Dense_1/0'));
    assert.ok(!frozenWeights(at64).some((n) => n.startsWith('stack3_')));
    assert.equal(at56.freeze!.params.after, at64.freeze!.params.after);
    const byBlock64 = await tinyAt(64, { freezeBlocks: 3 });
    const byBlock56 = await tinyAt(56, { freezeBlocks: 3 });
    assert.deepEqual(frozenWeights(byBlock56), frozenWeights(byBlock64));
    assert.match(byBlock64.freeze!.description, /the stem, stage 1 and block 1 of stage 2$/);
    // The same layer count reaches different weights once padding layers come in.
    const until64 = await tinyAt(64, { freezeUntil: 79 });
    const until56 = await tinyAt(56, { freezeUntil: 79 });
    assert.ok(frozenWeights(until64).includes('stack2_block1_attn_qkv/0'));
    assert.ok(!frozenWeights(until56).includes('stack2_block1_attn_qkv/0'));
    for (const t of [at64, at56, byBlock64, byBlock56, until64, until56]) t.model.dispose();
  });

  it('runs the BatchNormalization of frozen layers in inference mode: statistics and outputs fixed through fit', async () => {
    const t = await buildTransferModel({
      backbone: 'mobilenet_v2_nsfwjs',
      inputShape: [32, 32, 3],
      pretrained: 'nsfwjs',
      units: 2,
      dropout: 0,
      freezeStages: 3,
    });
    assert.match(t.freeze!.description, /the stem and stages 1–3$/);
    const frozenBn = t.model.getLayer('block_5_project_BN');
    const trainedBn = t.model.getLayer('block_6_expand_BN');
    assert.equal(frozenBn.trainable, false);
    assert.equal(trainedBn.trainable, true);
    const stats = (name: string) =>
      t.model
        .getLayer(name)
        .getWeights()
        .map((w) => Array.from(w.dataSync()));
    const frozenBefore = stats('block_5_project_BN');
    const trainedBefore = stats('block_6_expand_BN');
    const x = tf.randomUniform([4, 32, 32, 3], 0, 255, 'float32', 5);
    const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2);
    // Up to the frozen BN, training mode gives what inference gives.
    const probe = tfl.model({ inputs: t.model.inputs, outputs: frozenBn.output as tfl.SymbolicTensor });
    const asTraining = probe.apply(x, { training: true }) as tf.Tensor;
    const asInference = probe.predict(x) as tf.Tensor;
    assert.deepEqual(Array.from(asTraining.dataSync()), Array.from(asInference.dataSync()));
    t.model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
    await t.model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    assert.deepEqual(stats('block_5_project_BN'), frozenBefore, 'gamma, beta, moving mean and variance');
    assert.notDeepEqual(stats('block_6_expand_BN'), trainedBefore, 'a trainable BN moves its statistics');
    tf.dispose([x, y, asTraining, asInference]);
    t.model.dispose();
  });
});
