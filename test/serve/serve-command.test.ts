import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { registerServe } from '../../src/cli/commands/serve.js';
import { writeRunFolder } from '../track/fixtures.js';

function serveProgram(): Command {
  const program = new Command('visionlab').exitOverride();
  registerServe(program);
  return program;
}

test('visionlab serve listens on 127.0.0.1 by default, serves the runs folder and stops on SIGINT', async () => {
  const runsDir = mkdtempSync(path.join(os.tmpdir(), 'visionlab-serve-cmd-'));
  writeRunFolder(runsDir, 'only-run');
  const lines: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => lines.push(parts.join(' '));
  try {
    const running = serveProgram().parseAsync(['serve', '--port', '0', '--runs', runsDir], { from: 'user' });
    for (let i = 0; i < 500 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const url = /visionlab dashboard: (http:\/\/\S+)/.exec(lines[0] ?? '')?.[1];
    assert.match(url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    const body = (await (await fetch(`${url}/api/runs`)).json()) as { runs: Array<{ name: string }> };
    assert.deepEqual(
      body.runs.map((r) => r.name),
      ['only-run'],
    );
    process.emit('SIGINT');
    await running;
    await assert.rejects(fetch(`${url}/api/runs`));
  } finally {
    console.log = log;
    rmSync(runsDir, { recursive: true, force: true });
  }
});

test('visionlab serve refuses a port that is not a number', async () => {
  await assert.rejects(
    serveProgram().parseAsync(['serve', '--port', 'http'], { from: 'user' }),
    /--port http is not a port number/,
  );
});
