import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { initBackend } from '../../src/engine/backend.js';
import { startServer, type DashboardServer } from '../../src/serve/index.js';
import { epochRow, HISTORY_HEADER, writeRunFolder } from '../track/fixtures.js';
import { gradientImage, saveModel, tinyClassifier } from './model-fixture.js';
import { launchChromium } from '../helpers/launch-chromium.js';

const SCREENSHOTS = fileURLToPath(new URL('../../test-output/dashboard/', import.meta.url));

let runsDir: string;
let server: DashboardServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const model = tinyClassifier(3);

before(async () => {
  await initBackend();
  mkdirSync(SCREENSHOTS, { recursive: true });
  runsDir = mkdtempSync(path.join(os.tmpdir(), 'visionlab-e2e-'));
  const classes = { classNames: ['circle', 'square', 'triangle'], imageSize: [8, 8] };
  const alpha = writeRunFolder(runsDir, 'alpha', {
    epochs: 6,
    config: { ...classes, model: 'small-cnn' },
    metrics: { accuracy: 0.9, logLoss: 0.25 },
    state: { restoredEpoch: 5 },
  });
  await saveModel(model, alpha);
  const confusion = await sharp({ create: { width: 120, height: 120, channels: 3, background: '#4c78a8' } })
    .png()
    .toBuffer();
  writeFileSync(path.join(alpha, 'confusion.png'), confusion);
  writeFileSync(path.join(alpha, 'misclassified.png'), confusion);
  writeFileSync(
    path.join(alpha, 'report.html'),
    '<!doctype html><title>report</title><h1 id="r">Report of alpha</h1>',
  );
  writeRunFolder(runsDir, 'beta', { epochs: 4, shift: 0.08, config: { ...classes, model: 'alexnet-mini' } });
  writeRunFolder(runsDir, 'live', {
    epochs: 1,
    config: { ...classes, createdAt: '2026-03-01T00:00:00.000Z' },
    state: { status: 'running', endedAt: undefined },
  });
  server = await startServer({ runsDir, port: 0, host: '127.0.0.1', pollMs: 100 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (err) => pageErrors.push(err.message));
});

after(async () => {
  await browser?.close();
  await server?.close();
  model.dispose();
  rmSync(runsDir, { recursive: true, force: true });
});

const runNames = (): Promise<string[]> =>
  page.$$eval('#runs-table tbody tr', (rows) => rows.map((r) => r.getAttribute('data-run') ?? ''));

test('the runs list shows every run with its status and sorts by a column', async () => {
  await page.goto(`${server.url}/`);
  await page.waitForSelector('#runs-table tbody tr[data-run="live"]');
  // newest first: live was created last
  const names = await runNames();
  assert.equal(names[0], 'live');
  assert.deepEqual([...names].sort(), ['alpha', 'beta', 'live']);
  assert.equal(await page.textContent('tr[data-run="live"] .badge'), 'running');
  assert.equal(await page.textContent('tr[data-run="alpha"] .badge'), 'finished');
  // best val accuracy: alpha 0.45 + 6·0.05 = 75%, beta 0.45 + 4·0.05 − 0.08 = 57%, live 50%
  await page.click('button[data-sort="valAcc"]');
  assert.deepEqual(await runNames(), ['live', 'beta', 'alpha']);
  await page.click('button[data-sort="valAcc"]');
  assert.deepEqual(await runNames(), ['alpha', 'beta', 'live']);
  assert.match((await page.textContent('tr[data-run="alpha"]')) ?? '', /75\.00%.*90\.00%/);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'runs-list.png'), fullPage: true });
});

async function chartPoints(selector: string): Promise<number> {
  return page.$$eval(`${selector} .mark-symbol:not(.role-legend-symbol) path`, (paths) => paths.length);
}

test('a training run curve updates live as epochs are appended to history.csv', async () => {
  await page.goto(`${server.url}/#/run/live`);
  await page.waitForSelector('#epoch-count[data-epochs="1"]');
  await page.waitForSelector('#curves[data-rendered]');
  // one epoch: train + validation points on loss and accuracy, one learning-rate point
  assert.equal(await chartPoints('#curves'), 5);
  const history = path.join(runsDir, 'live', 'history.csv');
  for (const epoch of [2, 3, 4]) {
    appendFileSync(history, HISTORY_HEADER.map((k) => String(epochRow(epoch)[k])).join(',') + '\n');
    await page.waitForSelector(`#epoch-count[data-epochs="${epoch}"]`);
    await page.waitForFunction(
      (n) => document.querySelectorAll('#curves .mark-symbol:not(.role-legend-symbol) path').length === n,
      5 * epoch,
    );
  }
  assert.equal(await page.$$eval('#history-table tbody tr', (rows) => rows.length), 4);
  assert.match((await page.textContent('#history-table tbody tr:last-child')) ?? '', /^4/);
  writeFileSync(
    path.join(runsDir, 'live', 'status.json'),
    JSON.stringify({ status: 'finished', startedAt: 'a', updatedAt: 'b', epochsCompleted: 4 }),
  );
  await page.waitForFunction(() => document.querySelector('h1 .badge')?.textContent === 'finished');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'run-live.png'), fullPage: true });
});

test('a finished run shows its curves, confusion matrix, misclassified images and report', async () => {
  await page.goto(`${server.url}/#/run/alpha`);
  await page.waitForSelector('#curves[data-rendered]');
  await page.waitForSelector('#img-confusion');
  await page.waitForFunction(
    () => (document.querySelector('#img-confusion') as HTMLImageElement)?.naturalWidth === 120,
  );
  assert.equal(await page.$eval('#img-misclassified', (img) => (img as HTMLImageElement).complete), true);
  const report = page.frameLocator('iframe.report');
  assert.equal(await report.locator('#r').textContent(), 'Report of alpha');
  // the restored epoch is marked on the curves, as in the report
  assert.match((await page.textContent('#curves')) ?? '', /restored: epoch 5/);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'run-page.png'), fullPage: true });
});

test('two runs compare with overlaid curves and side-by-side numbers', async () => {
  await page.goto(`${server.url}/`);
  await page.waitForSelector('#runs-table tbody tr[data-run="alpha"]');
  await page.check('input[aria-label="select alpha"]');
  await page.check('input[aria-label="select beta"]');
  await page.click('#compare-selected');
  await page.waitForSelector('#compare-chart[data-rendered]');
  const headers = await page.$$eval('#compare-table thead th', (ths) => ths.map((t) => t.textContent));
  assert.deepEqual(headers.slice(1).sort(), ['alpha', 'beta']);
  // alpha 6 epochs and beta 4, each with train and validation, on both panels
  assert.equal(await chartPoints('#compare-chart'), 2 * 2 * (6 + 4));
  // alpha's best validation loss (1.2 / 7) and accuracy (0.45 + 6 · 0.05) beat beta's and are highlighted
  assert.deepEqual(await page.$$eval('#compare-table td.best', (tds) => tds.map((td) => td.textContent)), [
    '0.1714',
    '0.7500',
  ]);
  assert.match(
    (await page.textContent('#compare-table')) ?? '',
    /small-cnn.*alexnet-mini|alexnet-mini.*small-cnn/,
  );
  await page.screenshot({ path: path.join(SCREENSHOTS, 'compare.png'), fullPage: true });
});

test('an uploaded image is classified by the chosen run and shown with its probabilities', async () => {
  const { pixels, png } = await gradientImage();
  const expected = tf.tidy(() => model.predict(tf.tensor4d(pixels, [1, 8, 8, 3], 'float32')) as tf.Tensor);
  const probabilities = Array.from(await expected.data());
  expected.dispose();
  const top = probabilities.indexOf(Math.max(...probabilities));
  await page.goto(`${server.url}/#/predict?run=alpha`);
  await page.waitForSelector('#predict-run option[value="alpha"]', { state: 'attached' });
  await page.setInputFiles('#predict-file', { name: 'gradient.png', mimeType: 'image/png', buffer: png });
  await page.click('#predict-submit');
  await page.waitForSelector('#prediction');
  const heading = (await page.textContent('#prediction h2')) ?? '';
  assert.ok(heading.startsWith(['circle', 'square', 'triangle'][top]), heading);
  assert.match(heading, new RegExp(`${(probabilities[top] * 100).toFixed(2)}%`));
  await page.waitForFunction(
    () => ((document.querySelector('#gradcam') as HTMLImageElement)?.naturalWidth ?? 0) > 0,
  );
  await page.screenshot({ path: path.join(SCREENSHOTS, 'predict.png'), fullPage: true });

  await page.setInputFiles('#predict-file', {
    name: 'notes.png',
    mimeType: 'image/png',
    buffer: Buffer.from('plain text'),
  });
  await page.click('#predict-submit');
  await page.waitForSelector('#predict-error');
  assert.match((await page.textContent('#predict-error')) ?? '', /not an image/);
  assert.deepEqual(pageErrors, []);
});
