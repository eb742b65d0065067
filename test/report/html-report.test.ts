import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { initBackend } from '../../src/engine/backend.js';
import { buildCompareHtml, collectRuns } from '../../src/report/compare.js';
import { evaluateRun } from '../../src/report/evaluate-run.js';
import { writeCurves } from '../../src/report/curves.js';
import { parseHistoryCsv } from '../../src/train/history-csv.js';
import { makeFakeRun, type FakeRun } from '../evaluate/fixtures/fake-run.js';
import { launchChromium } from '../helpers/launch-chromium.js';

let run: FakeRun;
let browser: Browser;
before(async () => {
  await initBackend();
  run = await makeFakeRun();
  const history = parseHistoryCsv(await fs.readFile(path.join(run.dir, 'history.csv'), 'utf8'));
  await writeCurves(run.dir, history, { restoredEpoch: 2 });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await run.cleanup();
});

test('evaluateRun writes metrics.json, every chart and report.html into the run folder', async () => {
  const result = await evaluateRun(run.dir, { onWarning: () => undefined });
  assert.equal(result.source, 'split:test');
  assert.equal(result.skipped, 1, 'the corrupt file');
  const metrics = JSON.parse(await fs.readFile(path.join(run.dir, 'metrics.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  assert.equal(metrics.numExamples, 6);
  assert.ok(Math.abs((metrics.accuracy as number) - 5 / 6) < 1e-12);
  assert.deepEqual(metrics.confusionMatrix, [
    [3, 0],
    [1, 2],
  ]);
  const files = await fs.readdir(run.dir);
  for (const f of [
    'confusion.svg',
    'confusion.png',
    'roc.svg',
    'roc.png',
    'pr.svg',
    'pr.png',
    'misclassified.png',
    'report.html',
  ]) {
    assert.ok(files.includes(f), `${f} written`);
  }
  assert.ok(!files.some((f) => f.endsWith('.tmp')), 'no temporary files left');
  const confusion = await fs.readFile(path.join(run.dir, 'confusion.svg'), 'utf8');
  assert.ok(confusion.includes('>Confusion matrix<') && confusion.includes('>predicted class<'));
});

test('report.html opens in headless Chromium without console errors or network requests, and shows its charts', async () => {
  const file = path.join(run.dir, 'report.html');
  await fs.access(file).catch(() => evaluateRun(run.dir, { onWarning: () => undefined }));
  const html = await fs.readFile(file, 'utf8');
  assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/, 'no script and no external URL');

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  const requests: string[] = [];
  page.on('request', (req) => {
    if (!req.url().startsWith('file:') && !req.url().startsWith('data:')) requests.push(req.url());
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

  const charts = await page.$$eval('img.chart', (imgs) =>
    imgs.map((img) => {
      const image = img as HTMLImageElement;
      const box = image.getBoundingClientRect();
      return {
        alt: image.alt,
        complete: image.complete,
        natural: image.naturalWidth,
        width: box.width,
        height: box.height,
      };
    }),
  );
  assert.deepEqual(
    charts.map((c) => c.alt),
    [
      'training curves',
      'confusion matrix',
      'ROC curve',
      'precision-recall curve',
      'misclassified test images',
    ],
  );
  for (const c of charts) {
    assert.ok(c.complete && c.natural > 100, `${c.alt} decoded (${c.natural}px wide)`);
    assert.ok(c.width > 100 && c.height > 50, `${c.alt} laid out visibly (${c.width}×${c.height})`);
  }
  const text = await page.innerText('body');
  for (const expected of [
    'colour-cnn',
    'accuracy',
    '0.8333',
    "Youden's J",
    'Total params',
    'conv (Conv2D)',
    'restored',
  ]) {
    assert.ok(text.includes(expected), `report shows "${expected}"`);
  }
  await page.close();
  assert.deepEqual(problems, []);
  assert.deepEqual(requests, []);
});

test('compare.html opens in headless Chromium without errors and shows the overlaid curves', async () => {
  const file = path.join(run.dir, '..', 'compare.html');
  await fs.writeFile(file, await buildCompareHtml(await collectRuns([run.dir, run.dir])));
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  const natural = await page.$eval('img.chart', (img) => (img as HTMLImageElement).naturalWidth);
  assert.ok(natural > 300);
  // one row per COMPARISON_ROWS entry (model, status, input size, pretrained, frozen, parameters, …)
  assert.equal(await page.locator('tbody tr').count(), 15);
  await page.close();
  assert.deepEqual(problems, []);
});

test("evaluateRun on a class-per-folder tree (--data) uses the run's class order and skips the corrupt file", async () => {
  const warnings: string[] = [];
  const result = await evaluateRun(run.dir, {
    dataDir: run.dataDir,
    report: false,
    onWarning: (m) => warnings.push(m),
  });
  assert.equal(result.source, path.resolve(run.dataDir));
  assert.equal(result.metrics.numExamples, 6);
  assert.deepEqual(result.metrics.classNames, ['blue', 'red']);
  assert.deepEqual(result.metrics.confusionMatrix, [
    [3, 0],
    [1, 2],
  ]);
  assert.match(warnings.join('\n'), /broken\.png/);
  // stored beside the run's own result, not over it (see evaluate-elsewhere.test.ts)
  const metrics = JSON.parse(await fs.readFile(path.join(result.outputDir, 'metrics.json'), 'utf8')) as {
    source: string;
  };
  assert.equal(metrics.source, path.resolve(run.dataDir));
  assert.equal(path.dirname(result.outputDir), path.join(run.dir, 'evaluations'));
});
