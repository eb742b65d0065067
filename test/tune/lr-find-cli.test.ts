import assert from 'node:assert/strict';
import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseTrainConfig } from '../../src/train/config.js';
import { trainRun } from '../../src/train/run-training.js';
import { lrFindHook } from '../../src/tune/lr-find-run.js';
import { suggestLearningRate } from '../../src/tune/lr-suggest.js';
import { runCli as cli } from '../helpers/run-cli.js';
import { initTrainingBackend } from '../train/helpers.js';
import { writeImageFolder } from '../train/image-folder.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'visionlab-lrfind-'));
const data = path.join(tmp, 'data');

before(async () => {
  await initTrainingBackend();
  await writeImageFolder(data, { perClass: 20 });
});
after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

test('visionlab lr-find --json prints the suggestion, the rule and the points, and draws the chart', async () => {
  const chart = path.join(tmp, 'lr.png');
  const r = await cli([
    'lr-find',
    '--data',
    data,
    '--image-size',
    '12,12',
    '--batch-size',
    '8',
    '--iterations',
    '20',
    '--rule',
    'minimum',
    '-o',
    chart,
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as {
    suggestion: number;
    rule: string;
    points: Array<{ learningRate: number; loss: number; smoothedLoss: number }>;
  };
  assert.equal(json.rule, 'minimum');
  assert.ok(json.points.length >= 3 && json.points.length <= 20);
  assert.equal(json.points[0].learningRate, 1e-7);
  assert.equal(json.suggestion, suggestLearningRate(json.points, 'minimum'));
  const png = await fs.readFile(chart);
  assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
  const bad = await cli(['lr-find', '--data', data, '--rule', 'lowest']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--rule "lowest" is not one of valley, steep, minimum/);
});

test('learningRate "auto" trains with the finder\'s suggestion and records it in config.json', async () => {
  const config = parseTrainConfig({
    data,
    imageSize: [12, 12],
    batchSize: 8,
    epochs: 1,
    learningRate: 'auto',
    runsDir: path.join(tmp, 'runs'),
    name: 'auto-lr',
    verbose: 0,
    checkpoint: false,
  });
  let found = 0;
  const lines: string[] = [];
  const hook = lrFindHook({ iterations: 20 });
  const result = await trainRun(config, {
    log: (l) => lines.push(l),
    findLearningRate: async (args) => (found = await hook(args)),
  });
  assert.ok(found > 0);
  const saved = JSON.parse(await fs.readFile(path.join(result.runDir, 'config.json'), 'utf8'));
  assert.equal(saved.learningRate, found);
  assert.equal(result.history[0].lr, found);
  assert.ok(lines.some((l) => l.startsWith(`learning rate: ${found.toPrecision(3)} (fastai's valley`)));
  await assert.rejects(
    trainRun({ ...config, name: 'no-hook' }),
    /learningRate "auto" needs a learning-rate finder/,
  );
});
