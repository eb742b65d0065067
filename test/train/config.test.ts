import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VisionlabError } from '../../src/errors.js';
import { flagsToConfig } from '../../src/flags/train-flags.js';
import { parseKeyValueList } from '../../src/flags/key-value.js';
import { parseTrainConfig } from '../../src/train/index.js';
import { freezeSpecOf } from '../../src/train/training-setup.js';

test('key=value flag lists: kebab or camel keys, bare keys are true, Keras aliases', () => {
  assert.deepEqual(parseKeyValueList('--early-stopping', 'patience=7,restore-best'), {
    patience: 7,
    restoreBestWeights: true,
  });
  assert.deepEqual(
    parseKeyValueList('--reduce-lr', 'factor=0.5, patience=3 ,min-lr=1e-5,monitor=val_accuracy'),
    {
      factor: 0.5,
      patience: 3,
      minLR: 1e-5,
      monitor: 'val_accuracy',
    },
  );
  assert.throws(() => parseKeyValueList('--reduce-lr', 'factor=0.5,=3'), /--reduce-lr: "=3"/);
});

test('the issue example parses into the Keras callback options', () => {
  const config = parseTrainConfig(
    flagsToConfig({
      epochs: '1000',
      earlyStopping: 'patience=7,restore-best',
      reduceLr: 'factor=0.5,patience=3,min-lr=1e-5',
      freezeUntil: '80',
      inputShape: '280,280,3',
      model: 'davit_t',
      pretrained: 'imagenet',
    }),
  );
  assert.equal(config.epochs, 1000);
  assert.deepEqual(config.earlyStopping, {
    monitor: 'val_loss',
    minDelta: 0,
    patience: 7,
    mode: 'auto',
    restoreBestWeights: true,
    startFromEpoch: 0,
    verbose: 1,
  });
  assert.deepEqual(config.reduceLr, {
    monitor: 'val_loss',
    factor: 0.5,
    patience: 3,
    mode: 'auto',
    minDelta: 1e-4,
    cooldown: 0,
    minLR: 1e-5,
    verbose: 1,
  });
  assert.equal(config.freezeUntil, 80);
  assert.deepEqual(config.inputShape, [280, 280, 3]);
});

test('--freeze-kinds takes a list of layer classes into the freeze spec', () => {
  const config = parseTrainConfig(flagsToConfig({ freezeKinds: 'BatchNormalization, LayerNormalization' }));
  assert.deepEqual(config.freezeKinds, ['BatchNormalization', 'LayerNormalization']);
  assert.deepEqual(freezeSpecOf(config)?.kinds, ['BatchNormalization', 'LayerNormalization']);
  assert.equal(freezeSpecOf(parseTrainConfig({})), undefined);
});

test('config errors name the key and the bad value', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ epochs: 'ten' }, /epochs = "ten"/],
    [{ batchSize: 0 }, /batchSize = 0/],
    [{ validationSplit: 1.5 }, /validationSplit = 1\.5/],
    [{ reduceLr: { factor: 2 } }, /reduceLr\.factor = 2/],
    [{ earlyStopping: { mode: 'up' } }, /earlyStopping\.mode = "up"/],
    [{ optimizer: 'adamw' }, /optimizer = "adamw"/],
    [{ earlyStoping: { patience: 3 } }, /unknown key "earlyStoping"/],
    [{ reduceLr: { minLr: 1 } }, /unknown key "reduceLr\.minLr"/],
  ];
  for (const [input, message] of cases) {
    assert.throws(
      () => parseTrainConfig(input),
      (e: Error) => e instanceof VisionlabError && message.test(e.message),
      JSON.stringify(input),
    );
  }
});
