import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openRunStore, parseHistoryCsv, recordRun, runDirFor, STORE_FILE } from '../../src/track/index.js';
import { epochRow, historyCsv, writeRunFolder } from './fixtures.js';
import { TS_NODE_FLAGS } from '../helpers/ts-node.js';

function tempRunsDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'visionlab-track-'));
}

test('parseHistoryCsv reads numbers, empty cells as NaN, and drops a partial last line', () => {
  const rows = parseHistoryCsv('epoch,loss,accuracy,val_loss\n1,0.5,0.75,\n2,0.25,0.875,0.3\n3,0.1');
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[1], { epoch: 2, loss: 0.25, accuracy: 0.875, val_loss: 0.3 });
  assert.ok(Number.isNaN(rows[0].val_loss));
  assert.deepEqual(parseHistoryCsv('not,a,history\n1,2,3'), []);
});

test('the store indexes config, status, per-epoch and final metrics, and timings', async () => {
  const runsDir = tempRunsDir();
  try {
    writeRunFolder(runsDir, 'alexnet-a', { epochs: 4, metrics: { accuracy: 0.9125, logLoss: 0.31 } });
    writeRunFolder(runsDir, 'googlenet-b', {
      epochs: 2,
      config: { model: 'googlenet', createdAt: '2026-02-01T00:00:00.000Z' },
      state: { status: 'running', endedAt: undefined, updatedAt: '2026-01-01T00:00:45.000Z' },
    });
    mkdirSync(path.join(runsDir, '.hidden'));
    writeFileSync(path.join(runsDir, 'notes.txt'), 'not a run');
    const store = await openRunStore(runsDir);
    try {
      const list = store.list();
      assert.deepEqual(
        list.map((r) => r.name),
        ['googlenet-b', 'alexnet-a'],
      );
      const a = store.get('alexnet-a');
      assert.ok(a);
      assert.equal(a.status, 'finished');
      assert.equal(a.model, 'tiny-cnn');
      assert.equal(a.epochsCompleted, 4);
      assert.equal(a.durationSeconds, 90);
      assert.equal(a.testAccuracy, 0.9125);
      assert.deepEqual(a.metrics, { accuracy: 0.9125, logLoss: 0.31 });
      assert.deepEqual((a.config as { classNames: string[] }).classNames, ['cat', 'dog']);
      assert.equal(a.history.length, 4);
      assert.deepEqual(a.history[2], epochRow(3));
      // best val_accuracy is the last epoch's (0.45 + 4 * 0.05), best val_loss the last one's (1.2 / 5)
      assert.ok(Math.abs((a.bestValAccuracy ?? 0) - 0.65) < 1e-12);
      assert.ok(Math.abs((a.bestValLoss ?? 0) - 0.24) < 1e-12);
      const b = store.get('googlenet-b');
      assert.equal(b?.status, 'running');
      assert.equal(b?.durationSeconds, 45);
      assert.equal(b?.model, 'googlenet');
    } finally {
      store.close();
    }
  } finally {
    rmSync(runsDir, { recursive: true, force: true });
  }
});

test('the store follows the folders: changed runs are re-read, removed ones dropped, a deleted DB rebuilt', async () => {
  const runsDir = tempRunsDir();
  try {
    const dir = writeRunFolder(runsDir, 'run-1', { epochs: 2, state: { status: 'running' } });
    writeRunFolder(runsDir, 'run-2');
    const store = await openRunStore(runsDir);
    assert.equal(store.get('run-1')?.history.length, 2);
    // unchanged folders are not re-read
    assert.deepEqual(await store.sync(), { updated: [], removed: [] });

    writeFileSync(path.join(dir, 'history.csv'), historyCsv([1, 2, 3].map((e) => epochRow(e))));
    writeFileSync(
      path.join(dir, 'status.json'),
      JSON.stringify({
        status: 'stopped',
        startedAt: 'x',
        updatedAt: 'y',
        epochsCompleted: 3,
        restoredEpoch: 2,
      }),
    );
    rmSync(path.join(runsDir, 'run-2'), { recursive: true });
    assert.deepEqual(await store.sync(), { updated: ['run-1'], removed: ['run-2'] });
    const run1 = store.get('run-1');
    assert.equal(run1?.status, 'stopped');
    assert.equal(run1?.restoredEpoch, 2);
    assert.equal(run1?.history.length, 3);
    assert.equal(store.get('run-2'), null);
    store.close();

    for (const suffix of ['', '-wal', '-shm'])
      rmSync(path.join(runsDir, STORE_FILE + suffix), { force: true });
    const rebuilt = await openRunStore(runsDir);
    assert.deepEqual(
      rebuilt.list().map((r) => [r.name, r.status, r.epochsCompleted]),
      [['run-1', 'stopped', 3]],
    );
    rebuilt.close();

    writeFileSync(path.join(runsDir, STORE_FILE), 'this is not a database, and it is long enough to be read');
    for (const suffix of ['-wal', '-shm']) rmSync(path.join(runsDir, STORE_FILE + suffix), { force: true });
    const recovered = await openRunStore(runsDir);
    assert.equal(recovered.list().length, 1);
    recovered.close();
  } finally {
    rmSync(runsDir, { recursive: true, force: true });
  }
});

test('recordRun indexes one folder and refuses paths outside the runs folder', async () => {
  const runsDir = tempRunsDir();
  try {
    const dir = writeRunFolder(runsDir, 'solo', { epochs: 5 });
    await recordRun(runsDir, dir);
    const store = await openRunStore(runsDir);
    assert.equal(store.get('solo')?.epochsCompleted, 5);
    await assert.rejects(store.recordRun(path.join(runsDir, '..', 'elsewhere')), /not a run folder/);
    store.close();
    assert.throws(() => runDirFor(runsDir, '../etc'), /not a valid run name/);
    assert.throws(() => runDirFor(runsDir, 'a/b'), /not a valid run name/);
    assert.throws(() => runDirFor(runsDir, '$(touch x)'), /not a valid run name/);
    assert.equal(runDirFor(runsDir, 'ok-1.2_x'), path.join(path.resolve(runsDir), 'ok-1.2_x'));
  } finally {
    rmSync(runsDir, { recursive: true, force: true });
  }
});

function runWriter(
  runsDir: string,
  prefix: string,
  count: number,
  startAt: number,
): Promise<{ code: number | null; stderr: string }> {
  const script = fileURLToPath(new URL('./concurrent-writer.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...TS_NODE_FLAGS, script, runsDir, prefix, String(count), String(startAt)],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

test('two processes writing to the same store at once lose nothing', async () => {
  const runsDir = tempRunsDir();
  try {
    const count = 30;
    const startAt = Date.now() + 2500;
    const results = await Promise.all([
      runWriter(runsDir, 'first', count, startAt),
      runWriter(runsDir, 'second', count, startAt),
    ]);
    for (const { code, stderr } of results) assert.equal(code, 0, stderr);
    assert.ok(existsSync(path.join(runsDir, STORE_FILE)));
    const store = await openRunStore(runsDir);
    try {
      // what the writers indexed must already be complete before this sync reads any folder again
      const names = store.list().map((r) => r.name);
      assert.equal(names.length, 2 * count);
      for (const prefix of ['first', 'second']) {
        for (let i = 0; i < count; i++) {
          const run = store.get(`${prefix}-${i}`);
          assert.equal(run?.history.length, 4, `${prefix}-${i}`);
          assert.equal(run?.status, 'running');
        }
      }
    } finally {
      store.close();
    }
  } finally {
    rmSync(runsDir, { recursive: true, force: true });
  }
});
