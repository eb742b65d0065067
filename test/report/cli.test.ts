import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { runCli } from '../helpers/run-cli.js';
import { initBackend } from '../../src/engine/backend.js';
import { makeFakeRun, type FakeRun } from '../evaluate/fixtures/fake-run.js';

/** `visionlab …` run in-process, with its arguments spread. */
const cli = (...args: string[]): ReturnType<typeof runCli> => runCli(args);

let a: FakeRun;
let b: FakeRun;
before(async () => {
  await initBackend();
  a = await makeFakeRun({ name: 'run-a' });
  b = await makeFakeRun({ name: 'run-b', output: 'sigmoid' });
});
after(async () => {
  await a.cleanup();
  await b.cleanup();
});

test('visionlab evaluate --json prints the metrics and writes them into the run folder', async () => {
  const r = await cli('evaluate', a.dir, '--json', '--no-report');
  assert.equal(r.code, 0, r.stderr);
  const printed = JSON.parse(r.stdout) as { accuracy: number; skipped: number; source: string };
  assert.ok(Math.abs(printed.accuracy - 5 / 6) < 1e-12);
  assert.equal(printed.skipped, 1);
  const saved = JSON.parse(await fs.readFile(path.join(a.dir, 'metrics.json'), 'utf8')) as {
    accuracy: number;
  };
  assert.equal(saved.accuracy, printed.accuracy);
});

test('visionlab predict --csv: one row per image, an error row for the corrupt one, exit 0', async () => {
  const r = await cli('predict', a.dir, path.join(a.dataDir, 'red'), '--csv');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], 'file,predicted,confidence,blue,red,error');
  assert.equal(lines.length, 1 + 4, 'broken, r1, r2, r3-purple');
  assert.match(lines[1], /broken\.png,,,,,not an image/);
  assert.match(lines[2], /r1\.png,red,0\.98/);
  assert.match(r.stderr, /1 of 4 image\(s\) could not be read/);
});

test('visionlab explain writes the overlay PNG; compare and report write their pages', async () => {
  const out = path.join(a.dir, '..', 'cam.png');
  const explain = await cli('explain', a.dir, path.join(a.dataDir, 'red', 'r1.png'), '-o', out);
  assert.equal(explain.code, 0, explain.stderr);
  assert.match(explain.stdout, /predicted red/);
  const meta = await sharp(out).metadata();
  assert.equal(meta.format, 'png');

  const page = path.join(a.dir, '..', 'compare.html');
  const compare = await cli('compare', a.dir, b.dir, '-o', page);
  assert.equal(compare.code, 0, compare.stderr);
  assert.match(compare.stdout, /parameters\s+62\s+59/);
  assert.match(await fs.readFile(page, 'utf8'), /<th>run-a<\/th><th>run-b<\/th>/);

  const report = await cli('report', b.dir, '--no-model-summary');
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /no test metrics yet/);
  await fs.access(path.join(b.dir, 'report.html'));
  await fs.access(path.join(b.dir, 'curves.svg'));
});

test('the commands explain what is wrong with a bad run or argument', async () => {
  const missing = await cli('evaluate', path.join(a.dir, 'nope'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /No run ".*nope"/);
  const one = await cli('compare', a.dir);
  assert.equal(one.code, 1);
  assert.match(one.stderr, /at least two runs/);
  const badClass = await cli(
    'explain',
    a.dir,
    path.join(a.dataDir, 'red', 'r1.png'),
    '--class',
    'green',
    '-o',
    path.join(a.dir, '..', 'never.png'),
  );
  assert.equal(badClass.code, 1);
  assert.match(badClass.stderr, /"green" is not one of the run's classes/);
  // A folder (or a device such as /dev/null) is never replaced by the output file.
  const onFolder = await cli('compare', a.dir, b.dir, '-o', a.dataDir);
  assert.equal(onFolder.code, 1);
  assert.match(onFolder.stderr, /exists and is not a regular file/);
  assert.ok((await fs.stat(a.dataDir)).isDirectory());
});
