import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  promises as fs,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, mock, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { VisionlabError } from '../../src/errors.js';
import { resolveTrainConfig, resumeConfig, type TrainFlags } from '../../src/flags/train-flags.js';
import { parseTrainConfig } from '../../src/train/config.js';
import { trainRun } from '../../src/train/run-training.js';
import { runCli as cli } from '../helpers/run-cli.js';
import { initTrainingBackend } from './helpers.js';
import { writeImageFolder } from './image-folder.js';
import { TS_NODE_FLAGS } from '../helpers/ts-node.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'visionlab-run-folder-'));
const data = path.join(tmp, 'data');
const otherData = path.join(tmp, 'other-data');
const runs = path.join(tmp, 'runs');
const quiet = { log: () => {} };

before(async () => {
  await initTrainingBackend();
  await writeImageFolder(data, { perClass: 12 });
  await writeImageFolder(otherData, { perClass: 10 });
});

after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const base: TrainFlags = {
  data,
  imageSize: '12,12',
  batchSize: '8',
  runsDir: runs,
  progress: 'none',
  epochs: '2',
};

function json(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function tempFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.tmp'));
}

/** Trains until the end of the first epoch, then interrupts as Ctrl-C would: a resumable "stopped" run. */
async function interruptedRun(flags: TrainFlags): Promise<string> {
  let fired = false;
  const result = await trainRun(await resolveTrainConfig(flags), {
    ...quiet,
    writeCurves: async () => {
      if (!fired) process.emit('SIGINT');
      fired = true;
    },
  });
  assert.equal(result.stopReason, 'interrupted');
  return result.runDir;
}

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

test('resume keeps startedAt, records the flags given then, remembers --no-evaluate, drops the checkpoint', async () => {
  const runDir = await interruptedRun({ ...base, name: 'resumed', epochs: '3', evaluate: false });
  const before = json(path.join(runDir, 'status.json'));
  assert.equal(before.status, 'stopped');
  assert.ok(existsSync(path.join(runDir, 'checkpoint', 'checkpoint.bin')));
  await new Promise((r) => setTimeout(r, 20));
  const config = await resumeConfig(runDir, { epochs: '2' });
  assert.equal(config.evaluate, false, 'the saved --no-evaluate holds on resume');
  const result = await trainRun(config, quiet, runDir);
  assert.equal(result.history.length, 2);
  const after = json(path.join(runDir, 'status.json'));
  assert.equal(after.status, 'finished');
  assert.equal(after.startedAt, before.startedAt);
  assert.ok(typeof after.resumedAt === 'string' && after.resumedAt > String(before.startedAt));
  const saved = json(path.join(runDir, 'config.json'));
  assert.equal(saved.epochs, 2, '--epochs given on resume is recorded');
  assert.equal(saved.evaluate, false);
  assert.equal(existsSync(path.join(runDir, 'checkpoint')), false);
  assert.equal(existsSync(path.join(runDir, 'run.lock')), false);
  // a finished run is not resumed, and the refusal leaves it finished
  await assert.rejects(
    trainRun(await resumeConfig(runDir, {}), quiet, runDir),
    /has finished; there is nothing to resume/,
  );
  assert.deepEqual(json(path.join(runDir, 'status.json')), after);
  // and its name cannot be trained into again
  await assert.rejects(
    trainRun(await resolveTrainConfig({ ...base, name: 'resumed' }), quiet),
    /already exists/,
  );
});

test('the CLI does not evaluate a --no-evaluate run after its resume', async () => {
  const runDir = await interruptedRun({ ...base, name: 'no-eval', epochs: '2', evaluate: false });
  const { code, stdout } = await cli(['train', '--resume', runDir, '--progress', 'none']);
  assert.equal(code, 0, stdout);
  assert.doesNotMatch(stdout, /test: accuracy/);
  assert.equal(existsSync(path.join(runDir, 'metrics.json')), false);
});

test('resume refuses a config.json that is not a run config, and a checkpoint of another run or data', async () => {
  const bogus = path.join(runs, 'bogus');
  mkdirSync(bogus, { recursive: true });
  writeFileSync(path.join(bogus, 'config.json'), '[1,2]');
  await assert.rejects(resumeConfig(bogus, {}), (err: Error) => {
    assert.ok(err instanceof VisionlabError);
    assert.match(err.message, new RegExp(`${path.join(bogus, 'config.json')} is not a JSON object`));
    return true;
  });
  assert.deepEqual(readdirSync(bogus), ['config.json']);

  const a = await interruptedRun({ ...base, name: 'run-a', epochs: '3' });
  const b = await interruptedRun({ ...base, name: 'run-b', epochs: '3' });
  const statusB = readFileSync(path.join(b, 'status.json'), 'utf8');
  await fs.copyFile(
    path.join(a, 'checkpoint', 'checkpoint.bin'),
    path.join(b, 'checkpoint', 'checkpoint.bin'),
  );
  await assert.rejects(trainRun(await resumeConfig(b, {}), quiet, b), /belongs to another run/);
  assert.equal(
    readFileSync(path.join(b, 'status.json'), 'utf8'),
    statusB,
    'a refused resume leaves the status',
  );
  // the same run resumed on other data
  await assert.rejects(
    trainRun(await resumeConfig(a, { data: otherData }), quiet, a),
    /was trained on other data/,
  );
  assert.equal(json(path.join(a, 'status.json')).status, 'stopped');
});

test('a run killed before its first checkpoint can be made again under its name, or resumed from the start', async () => {
  for (const how of ['again', 'resume'] as const) {
    const dir = path.join(runs, `killed-${how}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({ ...parseTrainConfig({}), model: 'small_cnn' }),
    );
    writeFileSync(
      path.join(dir, 'status.json'),
      JSON.stringify({ status: 'running', startedAt: 'x', updatedAt: 'x', epochsCompleted: 0 }),
    );
    const pid = deadPid();
    writeFileSync(
      path.join(dir, 'run.lock'),
      JSON.stringify({ pid, host: os.hostname(), nonce: 'n', since: 'x' }),
    );
    writeFileSync(path.join(dir, `.status.json.${pid}.0badc0de.tmp`), '{"status":');
    mkdirSync(path.join(dir, 'checkpoint'));
    writeFileSync(path.join(dir, 'checkpoint', `.checkpoint.bin.${pid}.12345678.tmp`), 'half');
    const result =
      how === 'again'
        ? await trainRun(await resolveTrainConfig({ ...base, name: `killed-${how}` }), quiet)
        : await trainRun(await resumeConfig(dir, { ...base }), quiet, dir);
    assert.equal(result.history.length, 2, how);
    assert.equal(json(path.join(dir, 'status.json')).status, 'finished', how);
    assert.deepEqual(tempFiles(dir), [], `${how}: the dead writer's temp files are swept`);
  }
});

test('two trainings with the same --name: the second fails clearly, the first owns the folder', async () => {
  const child = path.join(here, 'cli-child.ts');
  const args = ['train', '--data', data, '--image-size', '12,12', '--batch-size', '8', '--runs-dir', runs];
  const run = () =>
    new Promise<{ code: number; stderr: string }>((resolve) => {
      const p = spawn(
        process.execPath,
        [
          ...TS_NODE_FLAGS,
          child,
          ...args,
          '--name',
          'twin',
          '--epochs',
          '2',
          '--progress',
          'none',
          '--no-evaluate',
        ],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      p.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      p.on('close', (code) => resolve({ code: code ?? -1, stderr }));
    });
  const results = await Promise.all([run(), run()]);
  const codes = results.map((r) => r.code).sort();
  assert.deepEqual(codes, [0, 1], JSON.stringify(results));
  const loser = results.find((r) => r.code === 1)!;
  assert.match(loser.stderr, /run folder .*twin (is in use by process \d+|already exists)/);
  const dir = path.join(runs, 'twin');
  assert.equal(json(path.join(dir, 'status.json')).status, 'finished');
  assert.equal(json(path.join(dir, 'status.json')).epochsCompleted, 2);
});

test('disk full while writing a checkpoint: the temp file goes, the error names the file, the run is failed', async (t) => {
  const real = fs.open.bind(fs);
  t.after(() => mock.restoreAll());
  mock.method(fs, 'open', async (file: string, flags?: string | number) => {
    const handle = await real(file, flags);
    if (!/\.checkpoint\.bin\.\d+\.[0-9a-f]{8}\.tmp$/.test(String(file))) return handle;
    return {
      writeFile: async (data: Uint8Array) => {
        await handle.write(data.subarray(0, data.length >> 1));
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      },
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  });
  const before = tf.memory().numTensors;
  await assert.rejects(trainRun(await resolveTrainConfig({ ...base, name: 'full' }), quiet), (err: Error) => {
    assert.ok(err instanceof VisionlabError);
    assert.match(
      err.message,
      new RegExp(`cannot write ${path.join(runs, 'full', 'checkpoint', 'checkpoint.bin')}: ENOSPC`),
    );
    assert.match(err.message, /disk is full/);
    return true;
  });
  mock.restoreAll();
  const dir = path.join(runs, 'full');
  assert.deepEqual(tempFiles(dir), []);
  const status = json(path.join(dir, 'status.json'));
  assert.equal(status.status, 'failed');
  assert.match(String(status.message), /ENOSPC/);
  assert.equal(existsSync(path.join(dir, 'run.lock')), false);
  assert.equal(tf.memory().numTensors, before);
});

test('a diverging run (learning rate 1e300) fails with a message instead of finishing with NaN', async () => {
  const config = await resolveTrainConfig({
    ...base,
    name: 'diverged',
    learningRate: '1e300',
    optimizer: 'sgd',
  });
  await assert.rejects(
    trainRun(config, quiet),
    /training diverged: the loss is not finite at epoch 1[\s\S]*Lower the learning rate/,
  );
  const status = json(path.join(runs, 'diverged', 'status.json'));
  assert.equal(status.status, 'failed');
  assert.equal(existsSync(path.join(runs, 'diverged', 'model')), false);
});

test('bad options are refused before the run folder exists', async () => {
  const cases: Array<[TrainFlags, RegExp]> = [
    [
      { inputShape: '28,28,2' },
      /inputShape\.2 = 2: channels must be 1 \(grayscale\), 3 \(rgb\) or 4 \(rgba\)/,
    ],
    [{ classWeight: 'nosuchclass=2' }, /classWeight names "nosuchclass", which is not a class/],
    [{ augment: 'bogus=3' }, /bogus/],
    [{ imageSize: '100000,100000' }, /imageSize 100000×100000 is 10000000000 pixels, over the limit/],
  ];
  for (const [flags, message] of cases) {
    const name = `refused-${readdirSync(runs).length}`;
    await assert.rejects(
      (async () => trainRun(await resolveTrainConfig({ ...base, ...flags, name }), quiet))(),
      message,
    );
    assert.equal(existsSync(path.join(runs, name)), false, JSON.stringify(flags));
  }
});

test("Keras' spelling in config files: restore_best_weights, batch_size, True", () => {
  const config = parseTrainConfig({
    batch_size: 4,
    early_stopping: { restore_best_weights: true, min_delta: 0.01 },
  });
  assert.equal(config.batchSize, 4);
  assert.equal(config.earlyStopping?.restoreBestWeights, true);
  assert.equal(config.earlyStopping?.minDelta, 0.01);
});
