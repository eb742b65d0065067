import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, promises as fs, existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../../src/train/index.js';
import { runCli as cli } from '../helpers/run-cli.js';
import { initTrainingBackend } from './helpers.js';
import { writeImageFolder } from './image-folder.js';
import { TS_NODE_FLAGS } from '../helpers/ts-node.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'visionlab-cli-'));
const data = path.join(tmp, 'data');
const runs = path.join(tmp, 'runs');

before(async () => {
  await initTrainingBackend();
  await writeImageFolder(data, { perClass: 20 });
});

after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const tiny = ['--image-size', '12,12', '--batch-size', '8', '--runs-dir', runs, '--progress', 'epoch'];

test('user errors give one line and a non-zero exit, no stack trace', async () => {
  const empty = path.join(tmp, 'empty');
  mkdirSync(empty, { recursive: true });
  const oneClass = path.join(tmp, 'one');
  await writeImageFolder(oneClass, { perClass: 4, classNames: ['only'] });
  const cases: Array<[string[], RegExp]> = [
    [['--data', path.join(tmp, 'missing')], /missing does not exist/],
    [['--data', empty], /no class sub-folders/],
    [['--data', oneClass], /one class|only one|at least two/i],
    [['--data', data, '--epochs', 'many'], /--epochs "many" is not a number/],
    [['--data', data, '--epochs', '0'], /epochs = 0/],
    [['--data', data, '--image-size', '12'], /--image-size "12"/],
    [['--data', data, '--early-stopping', 'patience=soon'], /earlyStopping\.patience = "soon"/],
    [['--data', data, '--progress', 'loud'], /--progress "loud"/],
    [['--data', data, '--name', '../escape'], /not a valid run name/],
    [['--data', data, '--model', 'no_such_net'], /no model called "no_such_net"/],
    [['--resume', 'never-ran', '--runs-dir', runs], /no run "never-ran" to resume/i],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await cli(['train', ...tiny, ...args]);
    assert.equal(code, 1, args.join(' '));
    assert.match(stderr, message, args.join(' '));
    assert.ok(stderr.startsWith('error: '), stderr);
    assert.ok(!/\n\s+at /.test(stderr), `no stack trace: ${stderr}`);
  }
});

test('visionlab train writes the run folder of the contract', async () => {
  const cacheDir = path.join(tmp, 'image-cache');
  const { code, stdout, stderr } = await cli([
    'train',
    ...tiny,
    '--data',
    data,
    '--epochs',
    '2',
    '--name',
    'e2e',
    '--seed',
    '3',
    '--progress',
    'none',
    '--cache-dir',
    cacheDir,
  ]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /done: 2 epochs; last epoch: loss [\d.]+, accuracy/);
  assert.match(stdout, /test: accuracy [\d.]+, log loss [\d.]+; report.html written/);
  const dir = path.join(runs, 'e2e');
  const history = (await fs.readFile(path.join(dir, 'history.csv'), 'utf8')).trim().split('\n');
  assert.equal(history[0], 'epoch,loss,accuracy,val_loss,val_accuracy,lr');
  assert.equal(history.length, 3);
  assert.match(history[2], /^2,[\d.e-]+,[\d.]+,[\d.e-]+,[\d.]+,0\.001$/);
  const config = JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8'));
  assert.equal(config.model, 'small_cnn');
  assert.deepEqual(config.imageSize, [12, 12]);
  assert.equal(config.colorMode, 'grayscale');
  assert.deepEqual(config.classNames, ['bottom', 'top']);
  assert.equal(config.seed, 3);
  const status = JSON.parse(await fs.readFile(path.join(dir, 'status.json'), 'utf8'));
  assert.equal(status.status, 'finished');
  assert.equal(status.epochsCompleted, 2);
  const dataset = JSON.parse(await fs.readFile(path.join(dir, 'dataset.json'), 'utf8'));
  assert.equal(dataset.splits.train.count + dataset.splits.validation.count + dataset.splits.test.count, 40);
  assert.deepEqual(dataset.splits.validation.perClass, { bottom: 4, top: 4 });
  assert.equal(dataset.splits.test.files.length, dataset.splits.test.count);
  const cached = readdirSync(cacheDir, { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith('.u8'),
  );
  const trained = dataset.splits.train.count + dataset.splits.validation.count;
  assert.equal(cached.length, trained, 'one decoded entry per training and validation image, for later runs');
  for (const f of [
    'curves.svg',
    'curves.png',
    'model/model.json',
    'model/weights.bin',
    'metrics.json',
    'report.html',
  ]) {
    assert.ok(existsSync(path.join(dir, f)), f);
  }
  // a finished run cannot be resumed, so it keeps no checkpoint (nor its lock)
  assert.equal(existsSync(path.join(dir, 'checkpoint')), false);
  assert.equal(existsSync(path.join(dir, 'run.lock')), false);
  const model = await loadModel(path.join(dir, 'model'));
  assert.deepEqual(model.inputs[0].shape, [null, 12, 12, 1]);
  model.dispose();
});

test('a config file (YAML) sets options, flags override it, the effective config is written', async () => {
  const file = path.join(tmp, 'train.yaml');
  await fs.writeFile(
    file,
    [
      'epochs: 5',
      'seed: 9',
      'earlyStopping:',
      '  patience: 4',
      '  restoreBestWeights: true',
      'reduceLr: {factor: 0.5, patience: 2}',
    ].join('\n'),
  );
  const { code, stderr } = await cli([
    'train',
    ...tiny,
    '--data',
    data,
    '--config',
    file,
    '--epochs',
    '1',
    '--name',
    'cfg',
    '--reduce-lr',
    'min-lr=1e-5',
  ]);
  assert.equal(code, 0, stderr);
  const config = JSON.parse(await fs.readFile(path.join(runs, 'cfg', 'config.json'), 'utf8'));
  assert.equal(config.epochs, 1, 'the flag wins');
  assert.equal(config.seed, 9, 'from the file');
  assert.deepEqual(config.earlyStopping, {
    monitor: 'val_loss',
    minDelta: 0,
    patience: 4,
    mode: 'auto',
    restoreBestWeights: true,
    startFromEpoch: 0,
    verbose: 1,
  });
  assert.equal(config.reduceLr.factor, 0.5);
  assert.equal(config.reduceLr.minLR, 1e-5);
  await fs.writeFile(file, 'epochs: 5\nearlyStopping: {patience: -1}\nbatchSise: 3\n');
  const bad = await cli(['train', ...tiny, '--data', data, '--config', file]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /earlyStopping\.patience = -1/);
  assert.match(bad.stderr, /unknown key "batchSise"/);
});

/** Spawns the CLI from source; resolves with its exit code and output, calling `onLine` for each stdout line. */
function spawnCli(args: string[], onLine?: (line: string, child: ReturnType<typeof spawn>) => void) {
  const child = spawn(
    process.execPath,
    [...TS_NODE_FLAGS, path.join(here, 'cli-child.ts'), 'train', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    for (const line of String(d).split('\n')) if (line) onLine?.(line, child);
    stdout += String(d);
  });
  child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
}

test('Ctrl-C writes a checkpoint; --resume ends with the same weights and history as an uninterrupted run', async () => {
  const common = [
    ...tiny,
    '--image-size',
    '8,8',
    '--data',
    data,
    '--epochs',
    '3',
    '--seed',
    '5',
    '--reduce-lr',
    'factor=0.5,patience=1,min-delta=1',
  ];
  const [reference, interrupted] = await Promise.all([
    spawnCli([...common, '--name', 'whole']),
    spawnCli([...common, '--name', 'cut'], (line, child) => {
      if (line.startsWith('Epoch 1/3')) child.kill('SIGINT');
    }),
  ]);
  assert.equal(reference.code, 0, reference.stderr);
  assert.equal(interrupted.code, 130, interrupted.stdout + interrupted.stderr);
  assert.match(interrupted.stdout, /visionlab train --resume/);
  const cut = path.join(runs, 'cut');
  const stopped = JSON.parse(await fs.readFile(path.join(cut, 'status.json'), 'utf8'));
  assert.equal(stopped.status, 'stopped');
  assert.ok(stopped.epochsCompleted < 3);
  const resumed = await spawnCli(['--resume', 'cut', '--runs-dir', runs, '--progress', 'epoch']);
  assert.equal(resumed.code, 0, resumed.stderr);
  const read = (run: string, file: string) => fs.readFile(path.join(runs, run, file));
  assert.deepEqual(await read('cut', 'history.csv'), await read('whole', 'history.csv'));
  assert.ok(
    (await read('cut', 'model/weights.bin')).equals(await read('whole', 'model/weights.bin')),
    'same final weights',
  );
  const history = String(await read('whole', 'history.csv'))
    .trim()
    .split('\n');
  assert.equal(history.length, 4);
  const status = JSON.parse(String(await read('cut', 'status.json')));
  assert.equal(status.status, 'finished');
  assert.equal(status.epochsCompleted, 3);
});
