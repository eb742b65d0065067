import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/engine/backend.js';
import { freeze } from '../../src/freeze/index.js';
import { buildModel, formatShape, summary } from '../../src/models/index.js';

describe('summary()', () => {
  before(async () => {
    await initBackend();
  });

  it('reduced AlexNet: Keras table, totals, and 6.3 GFLOP per image as measured for issue "native backend"', () => {
    const model = buildModel('alexnet_mini', { initializeWeights: false });
    const { text, json } = summary(model);
    assert.match(text, /Total params: 7,742,721/);
    assert.match(text, /Trainable params: 7,742,721/);
    assert.match(text, /Non-trainable params: 0/);
    assert.match(text, / conv2d \(Conv2D\) +\(None, 92, 92, 96\) +48,768/);
    assert.equal(json.totalParams, 7_742_721);
    assert.equal(json.layers.length, 14);
    const conv1 = json.layers.find((l) => l.name === 'conv2d')!;
    assert.deepEqual(conv1.outputShape, [null, 92, 92, 96]);
    // 2 FLOPs per multiply-add over 13·13·3 inputs per output, plus bias and ReLU per output
    const outputs = 92 * 92 * 96;
    assert.equal(conv1.flops, 2 * 13 * 13 * 3 * outputs + 2 * outputs);
    assert.ok(Math.abs(json.flops / 6.3e9 - 1) < 0.01, `${json.flops}`);
    assert.equal(conv1.connectedTo[0], 'zero_padding2d[0][0]');
    model.dispose();
  });

  it('ResNet50: connections of the residual add, BN statistics as non-trainable', () => {
    const model = buildModel('resnet50', { initializeWeights: false });
    const { text, json } = summary(model);
    assert.equal(json.trainableParams, 25_583_592);
    assert.equal(json.nonTrainableParams, 53_120);
    const add = json.layers.find((l) => l.name === 'conv2_block1_add')!;
    assert.deepEqual(add.connectedTo, ['conv2_block1_0_bn[0][0]', 'conv2_block1_3_bn[0][0]']);
    assert.match(text, /Connected to/);
    // About 4.1 G multiply-adds·2 as usually quoted for ResNet-50 at 224×224 (7.7 GFLOPs with adds).
    assert.ok(json.flops > 7.5e9 && json.flops < 8.0e9, `${json.flops}`);
    model.dispose();
  });

  it("MobileNetV2: each layer's index and trainable flag, rules at stage and block boundaries", () => {
    const model = buildModel('mobilenet_v2', {
      inputShape: [96, 96, 3],
      classes: 0,
      initializeWeights: false,
    });
    freeze(model, { blocks: 2 });
    const { text, json } = summary(model);
    assert.equal(json.stages, 7);
    assert.equal(json.blocks, 17);
    assert.deepEqual(
      json.layers.map((l) => l.index),
      model.layers.map((_, i) => i),
    );
    const row = (name: string) => json.layers.find((l) => l.name === name)!;
    assert.deepEqual(
      ['Conv1', 'block_1_project_BN', 'block_2_expand', 'block_3_expand'].map((n) => {
        const { index, trainable, part, stage, block, networkBlock } = row(n);
        return { index, trainable, part, stage, block, networkBlock };
      }),
      [
        { index: 1, trainable: false, part: 'stem', stage: 0, block: 0, networkBlock: 0 },
        { index: 17, trainable: false, part: 'stage', stage: 2, block: 1, networkBlock: 2 },
        { index: 18, trainable: true, part: 'stage', stage: 2, block: 2, networkBlock: 3 },
        { index: 27, trainable: true, part: 'stage', stage: 3, block: 1, networkBlock: 4 },
      ],
    );
    assert.match(text, /^ #  +Layer \(type\) +Output Shape +Param # +Connected to +Trainable$/m);
    assert.match(text, /^ 1  +Conv1 \(Conv2D\) +\(None, 48, 48, 32\) +864 +\['input_1\[0\]\[0\]'\] +N$/m);
    assert.match(text, /^ 3  +Conv1_relu \(ReLU\) .* -$/m);
    assert.match(text, /^ 18 +block_2_expand \(Conv2D\) .* Y$/m);
    const rules = text.split('\n').filter((l) => l.startsWith('── '));
    assert.equal(rules.length, 1 + 17 + 1, 'the stem, 17 blocks, the top');
    assert.deepEqual(
      rules.slice(0, 3).map((l) => l.replace(/ ─+$/, '')),
      ['── stem', '── stage 1 · block 1 · block 1 of 17', '── stage 2 · block 1 · block 2 of 17'],
    );
    assert.match(text, /Stages: 7 after the stem, 17 blocks/);
    model.dispose();
  });

  it('formats shapes as Keras does', () => {
    assert.equal(formatShape([null, 7, 7, 512]), '(None, 7, 7, 512)');
    assert.equal(formatShape([null, 10]), '(None, 10)');
    assert.equal(
      formatShape([
        [null, 1000],
        [null, 1000],
      ]),
      '[(None, 1000), (None, 1000)]',
    );
  });
});
