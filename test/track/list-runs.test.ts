import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listRuns } from '../../src/track/list-runs.js';

test('listRuns of a runs folder that does not exist lists nothing and does not create it', async () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'vl-list-runs-'));
  const missing = path.join(tmp, 'runs');
  assert.deepEqual(await listRuns(missing), { runsDir: path.resolve(missing), runs: [] });
  assert.equal(existsSync(missing), false);
  rmSync(tmp, { recursive: true, force: true });
});
