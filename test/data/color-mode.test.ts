import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelsOf, colorModeOf } from '../../src/data/decode-options.js';
import { colorModeFor } from '../../src/train/training-setup.js';

test('colorModeOf is the inverse of channelsOf; other channel counts have no colour mode', () => {
  assert.deepEqual(
    [1, 3, 4].map((c) => colorModeOf(c)),
    ['grayscale', 'rgb', 'rgba'],
  );
  for (const mode of ['grayscale', 'rgb', 'rgba'] as const) assert.equal(colorModeOf(channelsOf(mode)), mode);
  assert.equal(colorModeOf(2), undefined);
  // Training fills any other input with RGB, as before.
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((c) => colorModeFor(c)),
    ['grayscale', 'rgb', 'rgb', 'rgba', 'rgb'],
  );
});
