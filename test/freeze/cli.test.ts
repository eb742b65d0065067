import assert from 'node:assert/strict';
import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { freeze } from '../../src/freeze/index.js';
import { buildTransferModel } from '../../src/models/transfer.js';
import { runCli as cli } from '../helpers/run-cli.js';
import { initTrainingBackend } from '../train/helpers.js';
import { writeImageFolder } from '../train/image-folder.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'visionlab-freeze-cli-'));
const data = path.join(tmp, 'data');

before(async () => {
  await initTrainingBackend();
  await writeImageFolder(data, { perClass: 8 });
});
after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

test('visionlab train --freeze-stages prints what the library reports for the same freeze', async () => {
  const { model } = await buildTransferModel({ backbone: 'mobilenet_v2_nsfwjs', inputShape: [32, 32, 3] });
  const expected = freeze(model, { stages: 3 }).description;
  model.dispose();
  // Stem 928, expanded_conv 896, blocks 1–5: 5,136 + 8,832 + 10,000 + 14,848 + 14,848 (BN gamma and beta
  // counted; the total also holds the 34,112 BN moving statistics).
  assert.equal(
    expected,
    'froze 55,488 of 2,259,265 parameters (2.5 %), 54 of 158 weight variables: layers 0–55, the stem and stages 1–3',
  );
  const r = await cli([
    'train',
    '--data',
    data,
    '--model',
    'mobilenet_v2_nsfwjs',
    '--input-shape',
    '32,32,3',
    '--freeze-stages',
    '3',
    '--frozen-prefix-cache',
    '--epochs',
    '1',
    '--batch-size',
    '8',
    '--runs-dir',
    path.join(tmp, 'runs'),
    '--progress',
    'none',
    '--no-evaluate',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.ok(lines.includes(expected), `${expected}\nnot in\n${r.stdout}`);
  assert.ok(lines.some((l) => /^frozen prefix cached: layers 0–\d+ run once per image/.test(l)));
  const bad = await cli([
    'train',
    '--data',
    data,
    '--model',
    'small_cnn',
    '--freeze-stages',
    '1',
    '--runs-dir',
    path.join(tmp, 'runs'),
  ]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /layer names show its stages/);
});
