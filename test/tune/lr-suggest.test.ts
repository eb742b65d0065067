import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VisionlabError } from '../../src/errors.js';
import { smoothLosses, suggestLearningRate, type LrFindPoint } from '../../src/tune/lr-suggest.js';

/** 30 points, rates 10^(i/10 − 5); the smoothed losses given directly. */
function curve(losses: number[]): LrFindPoint[] {
  return losses.map((l, i) => ({ learningRate: 10 ** (i / 10 - 5), loss: l, smoothedLoss: l }));
}

// Kept by fastai's trim: points 3 … 24 (the first tenth, 3, and the last 5 dropped).
// Kept positions 0–5 flat at 1, 6–15 falling 0.9 … 0.0, 16–21 rising above 1.
const losses = [
  5,
  5,
  5, // trimmed start
  1,
  1,
  1,
  1,
  1,
  1,
  0.9,
  0.8,
  0.7,
  0.6,
  0.5,
  0.4,
  0.3,
  0.2,
  0.1,
  0.0,
  2,
  3,
  4,
  5,
  6,
  7,
  9,
  9,
  9,
  9,
  9, // trimmed end
];

test("valley: fastai's rule on a constructed curve", () => {
  // The longest falling run is one flat point and the ten falling ones: it ends at kept position 15
  // with length 11, so it starts at 15 − 11 = 4; sections = 11 / 3, index 4 + 3 + 1 = 8 → point 11.
  assert.equal(suggestLearningRate(curve(losses), 'valley'), 10 ** (11 / 10 - 5));
});

test('steep: where the loss falls fastest against log rate', () => {
  const steep = [...losses];
  steep[14] = 0.05; // the drop from point 13 (0.5) to 14 is now the steepest
  assert.equal(suggestLearningRate(curve(steep), 'steep'), 10 ** (13 / 10 - 5));
});

test('minimum: a tenth of the rate at the lowest loss', () => {
  assert.equal(suggestLearningRate(curve(losses), 'minimum'), 10 ** (18 / 10 - 5) / 10);
});

test('too short a ramp is a user error', () => {
  assert.throws(() => suggestLearningRate(curve([1, 0.5]), 'valley'), VisionlabError);
});

test("smoothing is fastai's debiased moving average", () => {
  const [a, b] = smoothLosses([2, 4], 0.5);
  assert.equal(a, 2); // (0.5 · 2) / (1 − 0.5)
  assert.equal(b, (0.5 * 0.5 * 2 + 0.5 * 4) / (1 - 0.25)); // 2.5 / 0.75
});
