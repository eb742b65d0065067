import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { registerRuns } from '../../src/cli/commands/runs.js';
import { writeRunFolder } from './fixtures.js';

async function runsCommand(args: string[]): Promise<string> {
  const program = new Command('visionlab').exitOverride();
  registerRuns(program);
  const lines: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => lines.push(parts.join(' '));
  try {
    await program.parseAsync(['runs', ...args], { from: 'user' });
  } finally {
    console.log = log;
  }
  return lines.join('\n');
}

test('visionlab runs lists the runs as a table and as JSON', async () => {
  const runsDir = mkdtempSync(path.join(os.tmpdir(), 'visionlab-runs-cmd-'));
  try {
    assert.match(await runsCommand(['--runs-dir', runsDir]), /^no runs in /);
    const absent = path.join(runsDir, 'not-yet');
    assert.equal(await runsCommand(['--runs-dir', absent, '--json']), '[]');
    assert.equal(existsSync(absent), false);
    writeRunFolder(runsDir, 'alexnet-1', { epochs: 2, metrics: { accuracy: 0.8125 } });
    writeRunFolder(runsDir, 'googlenet-2', {
      config: { model: 'googlenet', createdAt: '2026-05-01T00:00:00.000Z' },
      state: { status: 'failed', message: 'out of memory' },
    });
    const table = (await runsCommand(['--runs-dir', runsDir])).split('\n');
    assert.equal(table.length, 3);
    assert.match(table[0], /^run\s+status\s+model\s+epochs/);
    assert.match(table[1], /^googlenet-2\s+failed\s+googlenet\s+3\s/);
    assert.match(table[2], /^alexnet-1\s+finished\s+tiny-cnn\s+2\s+0\.3333\s+55\.00%\s+81\.25%\s+1m30s/);
    const json = JSON.parse(await runsCommand(['--runs-dir', runsDir, '--json'])) as Array<
      Record<string, unknown>
    >;
    assert.deepEqual(
      json.map((r) => [r.name, r.status, r.testAccuracy]),
      [
        ['googlenet-2', 'failed', null],
        ['alexnet-1', 'finished', 0.8125],
      ],
    );
  } finally {
    rmSync(runsDir, { recursive: true, force: true });
  }
});
