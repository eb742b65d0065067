import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { startServer, type DashboardServer } from '../../src/serve/index.js';
import { launchChromium } from '../helpers/launch-chromium.js';
import { TS_NODE_FLAGS } from '../helpers/ts-node.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCREENSHOTS = path.join(ROOT, 'test-output', 'dashboard');
const EPOCHS = 3;
const PER_CLASS = 40;

let workDir: string;
let server: DashboardServer;
let browser: Browser;
let page: Page;
let training: ChildProcess | undefined;

/** A small slice of the bundled demo images, so the training takes seconds. */
function demoSubset(target: string): void {
  const demo = path.join(ROOT, 'examples', 'data');
  for (const label of ['ankle_boot', 'sneaker']) {
    mkdirSync(path.join(target, label), { recursive: true });
    const files = readdirSync(path.join(demo, label))
      .filter((f) => f.endsWith('.png'))
      .sort();
    for (const file of files.slice(0, PER_CLASS)) {
      copyFileSync(path.join(demo, label, file), path.join(target, label, file));
    }
  }
}

async function pauseAfterFirstEpoch(child: ChildProcess, historyCsv: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && child.exitCode === null) {
    if (existsSync(historyCsv) && readFileSync(historyCsv, 'utf8').trim().split('\n').length >= 2) {
      child.kill('SIGSTOP');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail(`the trainer wrote no epoch to ${historyCsv} (exit code ${child.exitCode})`);
}

before(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  workDir = mkdtempSync(path.join(os.tmpdir(), 'visionlab-e2e-train-'));
  demoSubset(path.join(workDir, 'data'));
  server = await startServer({ runsDir: path.join(workDir, 'runs'), port: 0, pollMs: 50 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

after(async () => {
  training?.kill('SIGCONT');
  training?.kill();
  await browser?.close();
  await server?.close();
  rmSync(workDir, { recursive: true, force: true });
});

test('a real `visionlab train` run appears in the dashboard and its curves grow while it trains', async () => {
  const args = [
    ...TS_NODE_FLAGS,
    path.join(ROOT, 'test', 'serve', 'run-cli.ts'),
    'train',
    '--data',
    path.join(workDir, 'data'),
    '--model',
    'small_cnn',
    '--epochs',
    String(EPOCHS),
    '--batch-size',
    '16',
    '--runs-dir',
    path.join(workDir, 'runs'),
    '--name',
    'real-training',
    '--progress',
    'none',
    '--no-checkpoint',
    '--no-evaluate',
  ];
  let output = '';
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  training = child;
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  // Pause the trainer once its first epoch is on disk, so the page is certain to see a run in progress
  // however fast this machine trains; it resumes once the page is watching.
  await pauseAfterFirstEpoch(child, path.join(workDir, 'runs', 'real-training', 'history.csv'));

  await page.goto(`${server.url}/`);
  await page.waitForSelector('tr[data-run="real-training"]', { timeout: 60_000 });
  await page.click('tr[data-run="real-training"] a');
  await page.waitForSelector('#epoch-count');
  // Record every epoch count the page shows, with the run status shown at that moment.
  // (a string, so the test's compiler adds no helpers the page lacks)
  await page.evaluate(`{
    const seen = (window.seen = []);
    const note = () => {
      const epochs = document.querySelector('#epoch-count')?.getAttribute('data-epochs');
      const status = document.querySelector('h1 .badge')?.textContent;
      const entry = epochs + ':' + status;
      if (seen[seen.length - 1] !== entry) seen.push(entry);
    };
    note();
    const options = { subtree: true, childList: true, attributes: true, characterData: true };
    new MutationObserver(note).observe(document.body, options);
  }`);
  child.kill('SIGCONT');
  assert.equal(await exited, 0, output);
  await page.waitForFunction(() => document.querySelector('h1 .badge')?.textContent === 'finished');
  await page.waitForSelector(`#epoch-count[data-epochs="${EPOCHS}"]`);
  await page.waitForFunction(
    (n) => document.querySelectorAll('#curves .mark-symbol:not(.role-legend-symbol) path').length === n,
    5 * EPOCHS,
  );
  const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
  // the page showed epochs arriving while the run was still running, not only the finished history
  const whileRunning = seen.filter((s) => s.endsWith(':running')).map((s) => Number(s.split(':')[0]));
  assert.ok(
    whileRunning.some((n) => n >= 1 && n < EPOCHS),
    seen.join(' '),
  );
  assert.ok(new Set(seen.map((s) => s.split(':')[0])).size >= 2, seen.join(' '));
  await page.screenshot({ path: path.join(SCREENSHOTS, 'real-training.png'), fullPage: true });

  const runs = server.store.list();
  const run = runs.find((r) => r.name === 'real-training');
  assert.equal(run?.status, 'finished');
  assert.equal(run?.epochsCompleted, EPOCHS);
  assert.equal(run?.model, 'small_cnn');
  assert.equal(run?.hasModel, true);

  // the trained model classifies a demo image from the browser
  const image = path.join(workDir, 'data', 'sneaker', readdirSync(path.join(workDir, 'data', 'sneaker'))[0]);
  await page.click('a.button[href^="#/predict"]');
  await page.waitForSelector('#predict-run option[value="real-training"]', { state: 'attached' });
  await page.setInputFiles('#predict-file', image);
  await page.click('#predict-submit');
  await page.waitForSelector('#prediction');
  assert.match((await page.textContent('#prediction h2')) ?? '', /^\s*(ankle_boot|sneaker)\s+\d+\.\d\d%/);
  assert.equal(await page.$$eval('.bars .bar', (bars) => bars.length), 2);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'predict-real.png'), fullPage: true });

  // evaluation writes metrics, charts and the report into the folder; the run page and the list pick them up
  const { evaluateRun } = await import('../../src/report/evaluate-run.js');
  const evaluation = await evaluateRun(path.join(workDir, 'runs', 'real-training'));
  await page.goto(`${server.url}/#/run/real-training`);
  await page.waitForFunction(
    () => ((document.querySelector('#img-confusion') as HTMLImageElement)?.naturalWidth ?? 0) > 0,
  );
  await page.waitForFunction(
    () => ((document.querySelector('#img-misclassified') as HTMLImageElement)?.naturalWidth ?? 0) > 0,
  );
  assert.ok(
    (await page.frameLocator('iframe.report').locator('body').textContent())?.includes('real-training'),
  );
  await page.screenshot({ path: path.join(SCREENSHOTS, 'real-training-evaluated.png'), fullPage: true });
  await page.goto(`${server.url}/`);
  const percent = `${(evaluation.metrics.accuracy * 100).toFixed(2)}%`;
  await page.waitForFunction(
    (p) => document.querySelector('tr[data-run="real-training"]')?.textContent?.includes(p),
    percent,
  );
});
