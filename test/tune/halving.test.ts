import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byValidationLoss, successiveHalving } from '../../src/tune/halving.js';

test('successive halving keeps the better half by validation loss and doubles the epochs', async () => {
  // Loss of a candidate after e epochs: its base value minus 0.01·e, so the order never changes.
  const base: Record<string, number> = { a: 0.5, b: 0.2, c: 0.9, d: 0.3, e: 0.4 };
  const calls: string[] = [];
  const rungs = await successiveHalving(Object.keys(base), { maxEpochs: 4 }, async (c, epochs, rung) => {
    calls.push(`${rung}:${c}:${epochs}`);
    return { valLoss: base[c] - 0.01 * epochs, valAccuracy: 1 - base[c] };
  });
  assert.deepEqual(
    rungs.map((r) => ({ epochs: r.epochs, order: r.results.map((x) => x.candidate) })),
    [
      { epochs: 1, order: ['b', 'd', 'e', 'a', 'c'] },
      { epochs: 2, order: ['b', 'd', 'e'] }, // ceil(5 / 2) = 3 survive
      { epochs: 4, order: ['b', 'd'] },
    ],
  );
  assert.deepEqual(calls.slice(5), ['1:b:2', '1:d:2', '1:e:2', '2:b:4', '2:d:4']);
  assert.equal(rungs[2].results[0].result.valLoss, 0.2 - 0.04);
});

test('halving stops at one survivor, or at the budget; a diverged trial ranks last', async () => {
  const one = await successiveHalving(['x', 'y'], { maxEpochs: 8 }, async (c) => ({
    valLoss: c === 'x' ? NaN : 1,
    valAccuracy: 0,
  }));
  assert.deepEqual(
    one.map((r) => [r.epochs, r.results.map((x) => x.candidate)]),
    [
      [1, ['y', 'x']],
      [2, ['y']],
    ],
  );
  const capped = await successiveHalving(['p', 'q', 'r', 's'], { maxEpochs: 1 }, async () => ({
    valLoss: 1,
    valAccuracy: 0,
  }));
  assert.equal(capped.length, 1);
  // Equal losses: the higher accuracy first.
  assert.ok(byValidationLoss({ valLoss: 1, valAccuracy: 0.9 }, { valLoss: 1, valAccuracy: 0.5 }) < 0);
});
