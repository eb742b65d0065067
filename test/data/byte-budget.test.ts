import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteBudget } from '../../src/data/concurrency.js';

test('ByteBudget keeps the bytes in flight within its limit, runs an oversized task alone, serves in order', async () => {
  const budget = new ByteBudget(100);
  let inFlight = 0;
  let peak = 0;
  const started: string[] = [];
  const releases = new Map<string, () => void>();
  const task = (name: string, cost: number) =>
    budget.run(cost, async () => {
      started.push(name);
      inFlight += cost;
      peak = Math.max(peak, inFlight);
      await new Promise<void>((resolve) => releases.set(name, resolve));
      inFlight -= cost;
    });
  const tick = () => new Promise((r) => setImmediate(r));
  const all = [task('a', 60), task('b', 30), task('c', 50), task('huge', 500), task('d', 5)];
  await tick();
  assert.deepEqual(started, ['a', 'b']); // 60 + 30 fit; c (50) waits, and d waits behind it
  releases.get('a')!();
  await tick();
  assert.deepEqual(started, ['a', 'b', 'c']); // 30 + 50; huge waits for an empty budget
  releases.get('b')!();
  releases.get('c')!();
  await tick();
  assert.deepEqual(started, ['a', 'b', 'c', 'huge']);
  releases.get('huge')!();
  await tick();
  assert.deepEqual(started, ['a', 'b', 'c', 'huge', 'd']);
  releases.get('d')!();
  await Promise.all(all);
  assert.equal(peak, 500);
  assert.equal(inFlight, 0);
});
