import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { initBackend } from '../../src/engine/backend.js';
import { computeMetrics } from '../../src/evaluate/metrics.js';
import { evaluateRun } from '../../src/report/evaluate-run.js';
import { runCli } from '../helpers/run-cli.js';
import { makeFakeRun, TEST_IMAGES, type FakeRun } from '../evaluate/fixtures/fake-run.js';

let run: FakeRun;
before(async () => {
  await initBackend();
  run = await makeFakeRun({ name: 'elsewhere' });
  // give the run a validation split that lists its files, as training now records it
  const file = path.join(run.dir, 'dataset.json');
  const dataset = JSON.parse(await fs.readFile(file, 'utf8')) as { splits: Record<string, object> };
  const picked = ['red/r1.png', 'red/r3-purple.png', 'blue/b1.png', 'blue/b3.png'];
  dataset.splits.validation = {
    count: 4,
    perClass: { blue: 2, red: 2 },
    files: TEST_IMAGES.filter((i) => picked.includes(i.name)).map((i) => ({
      path: path.join(run.dataDir, i.name),
      label: i.label,
    })),
  };
  await fs.writeFile(file, JSON.stringify(dataset));
});
after(() => run.cleanup());

test('thresholds are chosen on the validation split, never on the test split they are reported with', async () => {
  const own = await evaluateRun(run.dir, { report: false });
  const validation = await evaluateRun(run.dir, { split: 'validation', report: false });
  assert.equal(own.outputDir, run.dir);
  assert.equal(validation.outputDir, path.join(run.dir, 'evaluations', 'split-validation'));
  assert.equal(validation.metrics.numExamples, 4);
  assert.equal(own.metrics.thresholds?.chosenOn, 'split:validation');
  assert.deepEqual(own.metrics.thresholds?.bestF1, validation.metrics.thresholds?.bestF1);
  assert.deepEqual(own.metrics.thresholds?.youden, validation.metrics.thresholds?.youden);
  const onTest = computeMetrics(own.predictions.labels, own.predictions.probabilities, ['blue', 'red']);
  assert.notDeepEqual(
    onTest.thresholds?.bestF1,
    own.metrics.thresholds?.bestF1,
    'the test split would pick another',
  );
  const saved = JSON.parse(readFileSync(path.join(run.dir, 'metrics.json'), 'utf8')) as {
    thresholds: object;
  };
  assert.deepEqual(saved.thresholds, own.metrics.thresholds);
});

test('evaluating other data is stored beside the run result, named by the data; skipped files are counted', async () => {
  await evaluateRun(run.dir);
  const ownMetrics = readFileSync(path.join(run.dir, 'metrics.json'), 'utf8');
  const ownReport = readFileSync(path.join(run.dir, 'report.html'), 'utf8');
  const other = await evaluateRun(run.dir, { dataDir: run.dataDir, onWarning: () => {} });
  assert.match(path.relative(run.dir, other.outputDir), /^evaluations\/data-[0-9a-f]{8}$/);
  assert.equal(other.skipped, 1, 'broken.png');
  assert.equal(other.metrics.numExamples, TEST_IMAGES.length);
  const stored = JSON.parse(readFileSync(path.join(other.outputDir, 'metrics.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  assert.equal(stored.source, path.resolve(run.dataDir));
  assert.equal(stored.skipped, 1);
  assert.ok(existsSync(path.join(other.outputDir, 'confusion.svg')));
  assert.equal(
    readFileSync(path.join(run.dir, 'metrics.json'), 'utf8'),
    ownMetrics,
    "the run's own result stays",
  );
  assert.equal(readFileSync(path.join(run.dir, 'report.html'), 'utf8'), ownReport);
  const cli = await runCli(['evaluate', run.dir, '--split', 'validation']);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /evaluated 4 images \(split:validation\)/);
  assert.match(cli.stdout, new RegExp(`in ${path.join(run.dir, 'evaluations', 'split-validation')}`));
});

test('predict --threshold applies a decision threshold to p(second class); auto takes the chosen one', async () => {
  await evaluateRun(run.dir, { report: false });
  const images = TEST_IMAGES.map((i) => path.join(run.dataDir, i.name));
  const plain = JSON.parse((await runCli(['predict', run.dir, ...images, '--json'])).stdout) as Array<{
    predicted: string;
    probabilities: Record<string, number>;
  }>;
  for (const t of ['0', '1', '0.3']) {
    const r = await runCli(['predict', run.dir, ...images, '--json', '--threshold', t]);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Array<{ predicted: string }>;
    rows.forEach((row, i) =>
      assert.equal(
        row.predicted,
        plain[i].probabilities.red >= Number(t) ? 'red' : 'blue',
        `${t}: ${images[i]}`,
      ),
    );
  }
  const chosen = (
    JSON.parse(readFileSync(path.join(run.dir, 'metrics.json'), 'utf8')) as {
      thresholds: { bestF1: { threshold: number } };
    }
  ).thresholds.bestF1.threshold;
  const auto = JSON.parse(
    (await runCli(['predict', run.dir, ...images, '--json', '--threshold', 'auto'])).stdout,
  ) as Array<{
    predicted: string;
  }>;
  auto.forEach((row, i) =>
    assert.equal(row.predicted, plain[i].probabilities.red >= chosen ? 'red' : 'blue'),
  );
  const bad = await runCli(['predict', run.dir, images[0], '--threshold', '1.5']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--threshold "1\.5" is not a probability between 0 and 1, or auto/);
});
