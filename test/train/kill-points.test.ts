import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { killAndRecover, type KillPoint } from '../helpers/kill-points.js';
import { writeImageFolder } from './image-folder.js';

// The short form: a kill during a checkpoint, a model and a report write (each recovers another way).
// `node --import tsx bench/reliability.ts` runs all 26 points.
const POINTS: KillPoint[] = [
  { file: 'checkpoint.bin', nth: 2 },
  { file: 'model.json', nth: 1 },
  { file: 'report.html', nth: 1 },
];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'visionlab-kill-'));
const data = path.join(tmp, 'data');
before(() => writeImageFolder(data, { perClass: 10 }));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('SIGKILL during checkpoint, model and report writes: every run recovers, nothing is left over', async () => {
  const outcomes = [];
  for (const [i, point] of POINTS.entries()) {
    outcomes.push(
      await killAndRecover(point, { data, runsDir: path.join(tmp, 'runs'), name: `kill-${i}`, epochs: 2 }),
    );
  }
  for (const o of outcomes) {
    const where = `${o.point.file}:${o.point.nth} (${o.how})`;
    assert.ok(o.killed, `${where}: the kill point was reached`);
    assert.ok(o.resumable, where);
    assert.deepEqual(o.leftoverTempFiles, [], where);
    assert.equal(o.epochsLostBeyondCurrent, 0, where);
  }
});
