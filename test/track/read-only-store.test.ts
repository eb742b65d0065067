import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cacheStorePath } from '../../src/track/run-store.js';
import { writeRunFolder } from './fixtures.js';
import { TS_NODE_FLAGS } from '../helpers/ts-node.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DAC_CAPS = '-dac_override,-dac_read_search';

/** Lists the runs in a child held to the permission bits (as root: without the file-override capabilities). */
function listInChild(runsDir: string, cacheHome: string): Promise<{ dbPath: string; runs: string[] }> {
  const node = [process.execPath, ...TS_NODE_FLAGS, path.join(here, 'list-runs-child.ts'), runsDir];
  const command =
    process.getuid?.() === 0
      ? ['setpriv', `--inh-caps=${DAC_CAPS}`, `--bounding-set=${DAC_CAPS}`, ...node]
      : node;
  return new Promise((resolve, reject) => {
    execFile(
      command[0],
      command.slice(1),
      { env: { ...process.env, XDG_CACHE_HOME: cacheHome } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as { dbPath: string; runs: string[] });
      },
    );
  });
}

test('the run store opens on a read-only runs folder: in the user cache, else in memory', async () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'visionlab-ro-store-'));
  const runsDir = path.join(tmp, 'runs');
  const cache = path.join(tmp, 'cache');
  const lockedCache = path.join(tmp, 'locked-cache');
  try {
    writeRunFolder(runsDir, 'first');
    writeRunFolder(runsDir, 'second');
    mkdirSync(lockedCache);
    chmodSync(runsDir, 0o555);
    chmodSync(lockedCache, 0o555);
    const cached = await listInChild(runsDir, cache);
    assert.deepEqual(cached.runs.sort(), ['first', 'second']);
    assert.equal(cached.dbPath, path.join(cache, 'visionlab', path.basename(cacheStorePath(runsDir))));
    assert.ok(existsSync(cached.dbPath));
    assert.equal(existsSync(path.join(runsDir, '.visionlab-runs.db')), false);
    const inMemory = await listInChild(runsDir, lockedCache);
    assert.deepEqual(inMemory, { dbPath: ':memory:', runs: ['first', 'second'].sort() });
  } finally {
    chmodSync(runsDir, 0o755);
    rmSync(tmp, { recursive: true, force: true });
  }
});
