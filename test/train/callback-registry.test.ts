import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CALLBACK_ENTRIES,
  CALLBACK_FLAGS,
  buildConfiguredCallbacks,
} from '../../src/train/callbacks/registry.js';
import { EarlyStopping } from '../../src/train/callbacks/early-stopping.js';
import { LearningRateScheduler } from '../../src/train/callbacks/learning-rate-scheduler.js';
import { ReduceLROnPlateau } from '../../src/train/callbacks/reduce-lr-on-plateau.js';
import { TerminateOnNaN } from '../../src/train/callbacks/terminate-on-nan.js';
import type { TrainingContext } from '../../src/train/callbacks/callback.js';
import { flagsToConfig, type TrainFlags } from '../../src/flags/train-flags.js';
import { VisionlabError } from '../../src/errors.js';
import { getLearningRate, makeOptimizer } from '../../src/train/optimizers.js';
import { parseTrainConfig } from '../../src/train/config.js';

test('a callback built from an empty config entry has the defaults its constructor has', () => {
  const config = parseTrainConfig({ earlyStopping: {}, reduceLr: {} });
  const [, reduceFromConfig, earlyFromConfig] = buildConfiguredCallbacks(config, { epochs: 3 });
  const pick = (cb: object, keys: string[]) =>
    Object.fromEntries(keys.map((k) => [k, (cb as Record<string, unknown>)[k]]));
  const esKeys = [
    'monitor',
    'mode',
    'minDelta',
    'patience',
    'restoreBestWeights',
    'startFromEpoch',
    'verbose',
  ];
  assert.deepEqual(pick(earlyFromConfig, esKeys), pick(new EarlyStopping(), esKeys));
  const rlKeys = ['monitor', 'mode', 'minDelta', 'factor', 'patience', 'cooldown', 'minLR', 'verbose'];
  assert.deepEqual(pick(reduceFromConfig, rlKeys), pick(new ReduceLROnPlateau(), rlKeys));
  // The values themselves: Keras' numbers, and the one-line messages on.
  assert.deepEqual(pick(new EarlyStopping(), esKeys), {
    monitor: 'val_loss',
    mode: 'min',
    minDelta: 0,
    patience: 0,
    restoreBestWeights: false,
    startFromEpoch: 0,
    verbose: 1,
  });
  assert.equal(new ReduceLROnPlateau().minDelta, 1e-4);
  assert.equal(new ReduceLROnPlateau().patience, 10);
  assert.equal(new ReduceLROnPlateau({ patience: undefined }).patience, 10, 'undefined keeps the default');
});

test('the configured callbacks come in registry order, each only when asked for', () => {
  const all = buildConfiguredCallbacks(
    parseTrainConfig({ earlyStopping: {}, reduceLr: {}, lrSchedule: { type: 'cosine' } }),
    { epochs: 4, learningRate: 0.01 },
  );
  assert.deepEqual(
    all.map((cb) => cb.constructor),
    [TerminateOnNaN, LearningRateScheduler, ReduceLROnPlateau, EarlyStopping],
  );
  const none = buildConfiguredCallbacks(
    parseTrainConfig({ terminateOnNaN: false, lrSchedule: { type: 'constant' } }),
    { epochs: 4 },
  );
  assert.deepEqual(none, []);
});

test('every registered flag reaches its config key through the train flags', () => {
  assert.deepEqual(
    CALLBACK_FLAGS.map((f) => [f.key, f.name]),
    [
      ['lrSchedule', '--lr-schedule'],
      ['reduceLr', '--reduce-lr'],
      ['earlyStopping', '--early-stopping'],
    ],
  );
  for (const flag of CALLBACK_FLAGS) {
    assert.ok(flag.key in CALLBACK_ENTRIES);
    const out = flagsToConfig({ [flag.key]: 'patience=3' } as TrainFlags);
    assert.deepEqual(out[flag.key], { patience: 3 }, `${flag.name} is parsed into ${flag.key}`);
  }
});

test('a schedule that returns no finite rate stops training with our error, naming the epoch', async () => {
  const scheduler = new LearningRateScheduler((epoch) => (epoch === 1 ? NaN : 0.01));
  const optimizer = makeOptimizer({ name: 'sgd', learningRate: 0.1 });
  scheduler.setContext({ optimizer, log: () => {} } as unknown as TrainingContext);
  await scheduler.onEpochBegin(0);
  assert.equal(getLearningRate(optimizer), 0.01);
  await assert.rejects(
    scheduler.onEpochBegin(1),
    (e: Error) => e instanceof VisionlabError && /returned NaN for epoch 2/.test(e.message),
  );
  optimizer.dispose();
});
