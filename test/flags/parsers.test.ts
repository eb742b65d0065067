import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseBatchSize,
  parseBuildOptions,
  parseChoice,
  parseEngine,
  parseFraction,
  parseImageSize,
  parseInputShape,
  parseNumber,
  parsePort,
  parsePositiveNumber,
  parseThreshold,
  parseNonNegativeInt,
} from '../../src/flags/index.js';
import { flagsToConfig } from '../../src/flags/train-flags.js';
import { parseTrainConfig } from '../../src/train/config.js';

/** The error of ours, its whole message matched. */
const refused = (message: RegExp) => ({ name: 'VisionlabError', message });

test('an input shape of H,W means 3 channels for summary and train alike', () => {
  assert.deepEqual(parseInputShape('280,280'), [280, 280, 3]);
  assert.deepEqual(parseInputShape('280x280x1'), [280, 280, 1]);
  assert.deepEqual(parseInputShape(' 224 224 3 '), [224, 224, 3]);
  assert.deepEqual(parseBuildOptions({ inputShape: '280,280' }).inputShape, [280, 280, 3]);
  assert.deepEqual(parseTrainConfig(flagsToConfig({ inputShape: '280,280' })).inputShape, [280, 280, 3]);
  for (const bad of ['224,abc', '280', '280,280,3,1', '280,,280', '0,280,3', '28.5,28'])
    assert.throws(
      () => parseInputShape(bad),
      refused(
        new RegExp(
          `^--input-shape "${bad}" is not H,W,C \\(or H,W for 3 channels\\) in whole numbers ≥ 1\\n`,
        ),
      ),
    );
});

test('an image size is H,W only', () => {
  assert.deepEqual(parseImageSize('12,12'), [12, 12]);
  assert.deepEqual(parseImageSize('28x32'), [28, 32]);
  assert.throws(() => parseImageSize('12'), refused(/^--image-size "12" is not H,W in whole numbers ≥ 1/));
  assert.throws(() => parseImageSize('12,12,3'), refused(/^--image-size "12,12,3" is not H,W/));
});

test('a batch size is a whole number ≥ 1, with one message naming the flag and the value', () => {
  assert.equal(parseBatchSize('8'), 8);
  for (const bad of ['abc', '0', '-4', '2.5', '', ' '])
    assert.throws(
      () => parseBatchSize(bad),
      refused(new RegExp(`^--batch-size "${bad}" is not a whole number ≥ 1$`)),
    );
});

test('numbers, fractions, counts, thresholds and ports', () => {
  assert.equal(parseNumber('--epochs', '1e3'), 1000);
  assert.throws(() => parseNumber('--epochs', 'many'), refused(/^--epochs "many" is not a number$/));
  assert.equal(parsePositiveNumber('--dpi', '72.5'), 72.5);
  assert.throws(
    () => parsePositiveNumber('--dpi', '0'),
    refused(/^--dpi "0" is not a number greater than 0$/),
  );
  assert.equal(parseFraction('--test-split', '0'), 0);
  assert.equal(parseFraction('--test-split', '0.25'), 0.25);
  assert.throws(() => parseFraction('--test-split', '1'), refused(/^--test-split "1" is not a fraction/));
  assert.equal(parseNonNegativeInt('--classes', '0'), 0);
  assert.throws(
    () => parseNonNegativeInt('--classes', '-1'),
    refused(/^--classes "-1" is not a whole number ≥ 0$/),
  );
  assert.equal(parseThreshold('0.3'), 0.3);
  assert.equal(parseThreshold('1'), 1);
  assert.equal(parseThreshold('auto'), 'auto');
  assert.throws(
    () => parseThreshold('1.5'),
    refused(/^--threshold "1\.5" is not a probability between 0 and 1, or auto$/),
  );
  assert.equal(parsePort('0'), 0);
  assert.throws(() => parsePort('65536'), refused(/^--port 65536 is not a port number/));
  assert.throws(() => parsePort(''), refused(/^--port {2}is not a port number/));
});

test('choices name the flag, the value and what it may be', () => {
  assert.equal(parseChoice('--pooling', 'max', ['avg', 'max', 'none']), 'max');
  assert.throws(
    () => parseBuildOptions({ pooling: 'mean' }),
    refused(/^--pooling "mean" is not one of avg, max, none$/),
  );
  assert.throws(
    () => parseBuildOptions({ classifierActivation: 'relu' }),
    refused(/^--classifier-activation "relu" is not one of softmax, sigmoid, linear$/),
  );
  assert.equal(parseEngine('onnxruntime'), 'onnxruntime');
  assert.throws(
    () => parseEngine('torch'),
    refused(/^Unknown --engine "torch"\.\nUse tfjs or onnxruntime\.$/),
  );
});
