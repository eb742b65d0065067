/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are checked field by field below */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { initBackend } from '../../src/engine/backend.js';
import { curvesSpec } from '../../src/report/curves.js';
import { startServer, type DashboardServer } from '../../src/serve/index.js';
import { epochRow, historyCsv, writeRunFolder } from '../track/fixtures.js';
import { gradientImage, saveModel, tinyClassifier } from './model-fixture.js';
import { rawRequest, type Answer } from './raw-request.js';

let runsDir: string;
let server: DashboardServer;

before(async () => {
  await initBackend();
  runsDir = mkdtempSync(path.join(os.tmpdir(), 'visionlab-serve-'));
  writeRunFolder(runsDir, 'alpha', { epochs: 4, metrics: { accuracy: 0.875 } });
  writeRunFolder(runsDir, 'beta', { epochs: 2, shift: 0.1, state: { status: 'running' } });
  writeFileSync(path.join(runsDir, 'alpha', 'confusion.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(path.join(runsDir, 'outside.json'), '{"secret": true}');
  server = await startServer({ runsDir, port: 0, maxUploadBytes: 64 * 1024, pollMs: 50 });
});

after(async () => {
  await server.close();
  rmSync(runsDir, { recursive: true, force: true });
});

function call(
  method: string,
  rawPath: string,
  body?: Buffer,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return rawRequest(server.port, method, rawPath, headers, body);
}

async function callJson(
  method: string,
  rawPath: string,
  body?: Buffer,
): Promise<{ status: number; json: any }> {
  // the dashboard's pages mark their state-changing requests with this header (see request-guard.test.ts)
  const answer = await call(method, rawPath, body, method !== 'GET' ? { 'x-visionlab-request': '1' } : {});
  assert.match(String(answer.headers['content-type']), /^application\/json/);
  return { status: answer.status, json: JSON.parse(answer.body.toString('utf8')) };
}

test('GET /api/runs lists every run with status and key metrics, and sees new folders', async () => {
  const first = await callJson('GET', '/api/runs');
  assert.equal(first.status, 200);
  let json = first.json;
  assert.deepEqual(json.runs.map((r: { name: string }) => r.name).sort(), ['alpha', 'beta']);
  const alpha = json.runs.find((r: { name: string }) => r.name === 'alpha');
  assert.equal(alpha.status, 'finished');
  assert.equal(alpha.testAccuracy, 0.875);
  assert.equal(alpha.epochsCompleted, 4);
  writeRunFolder(runsDir, 'gamma', { epochs: 1 });
  ({ json } = await callJson('GET', '/api/runs'));
  assert.ok(json.runs.some((r: { name: string }) => r.name === 'gamma'));
  rmSync(path.join(runsDir, 'gamma'), { recursive: true });
  ({ json } = await callJson('GET', '/api/runs'));
  assert.ok(!json.runs.some((r: { name: string }) => r.name === 'gamma'));
});

test('a run page gets the history, config, metrics and files; its curves are the report spec', async () => {
  const { status, json } = await callJson('GET', '/api/runs/alpha');
  assert.equal(status, 200);
  assert.equal(json.history.length, 4);
  assert.deepEqual(json.history[1], epochRow(2));
  assert.deepEqual(json.files, [
    'config.json',
    'confusion.svg',
    'history.csv',
    'metrics.json',
    'status.json',
  ]);
  const spec = await callJson('GET', '/api/runs/alpha/curves-spec');
  const expected = curvesSpec(json.history) as unknown as Record<string, unknown>;
  assert.deepEqual(spec.json.hconcat, JSON.parse(JSON.stringify(expected.hconcat)));
  assert.ok(spec.json.config.font.startsWith('DejaVu Sans'));
  const svg = await call('GET', '/api/runs/alpha/files/confusion.svg');
  assert.equal(svg.status, 200);
  assert.equal(svg.headers['content-type'], 'image/svg+xml');
});

test('compare gives the comparison report rows and overlaid curves of the runs', async () => {
  const { status, json } = await callJson('GET', '/api/compare?run=alpha&run=beta');
  assert.equal(status, 200);
  assert.deepEqual(json.runs, ['alpha', 'beta']);
  const row = (label: string) => json.rows.find((r: { label: string }) => r.label === label);
  assert.deepEqual(row('epochs trained').values, [4, 2]);
  assert.deepEqual(row('test accuracy'), {
    label: 'test accuracy',
    values: [0.875, null],
    better: 'max',
    digits: null,
  });
  assert.deepEqual(row('training time (s)').values, [90, 90]);
  assert.equal(json.spec.hconcat.length, 2);
  assert.ok(json.spec.config.font.startsWith('DejaVu Sans'));
  const loss = json.spec.hconcat[0].data.values as Array<{
    run: string;
    split: string;
    epoch: number;
    value: number;
  }>;
  // alpha: 4 epochs × (train + validation); beta: 2 × 2
  assert.equal(loss.filter((p) => p.run === 'alpha').length, 8);
  assert.equal(loss.filter((p) => p.run === 'beta').length, 4);
  const betaVal2 = loss.find((p) => p.run === 'beta' && p.split === 'validation' && p.epoch === 2);
  assert.ok(Math.abs((betaVal2?.value ?? 0) - (1.2 / 3 + 0.1)) < 1e-12);
  assert.equal((await callJson('GET', '/api/compare')).status, 400);
  assert.equal((await callJson('GET', '/api/compare?run=alpha&run=nope')).status, 404);
  assert.equal((await callJson('GET', '/api/compare?run=alpha&run=..')).status, 400);
});

test('server-sent events push each new history row as training appends it', async () => {
  const dir = writeRunFolder(runsDir, 'live', { epochs: 1, state: { status: 'running' } });
  const events: Array<{ event: string; data: any }> = [];
  const { port } = server;
  const req = request({ host: '127.0.0.1', port, path: '/api/runs/live/events' });
  const connected = new Promise<void>((resolve, reject) => {
    req.on('response', (res) => {
      resolve();
      assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
      let buffer = '';
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      });
    });
    req.on('error', reject);
  });
  req.end();
  await connected;
  const waitFor = async (count: number) => {
    for (let i = 0; i < 1000 && events.length < count; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(events.length, count, JSON.stringify(events));
  };
  await waitFor(1);
  const row = (e: number) =>
    ['epoch', 'loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr'].map((k) => epochRow(e)[k]);
  appendFileSync(path.join(dir, 'history.csv'), row(2).join(',') + '\n');
  await waitFor(2);
  appendFileSync(path.join(dir, 'history.csv'), row(3).join(',') + '\n' + row(4).join(',') + '\n');
  await waitFor(3);
  writeFileSync(
    path.join(dir, 'status.json'),
    JSON.stringify({ status: 'finished', startedAt: 'a', updatedAt: 'b', epochsCompleted: 4 }),
  );
  await waitFor(4);
  // a resumed run rewrites the history from its checkpoint: the page gets the whole new history
  const resumed = [epochRow(1), epochRow(2, 0.5)];
  writeFileSync(path.join(dir, 'history.csv'), historyCsv(resumed));
  await waitFor(5);
  req.destroy();
  assert.equal(events[0].event, 'snapshot');
  assert.deepEqual(events[0].data.history, [epochRow(1)]);
  assert.equal(events[1].event, 'history');
  assert.deepEqual(events[1].data.rows, [epochRow(2)]);
  assert.deepEqual(events[2].data.rows, [epochRow(3), epochRow(4)]);
  assert.equal(events[3].event, 'status');
  assert.equal(events[3].data.state.status, 'finished');
  assert.equal(events[4].event, 'reset');
  assert.deepEqual(events[4].data.history, resumed);
});

test('predict classifies an uploaded image with the run model, as the model itself does', async () => {
  const model = tinyClassifier(3);
  writeRunFolder(runsDir, 'with-model', { config: { classNames: ['a', 'b', 'c'], imageSize: [8, 8] } });
  await saveModel(model, path.join(runsDir, 'with-model'));
  const { pixels, png } = await gradientImage();
  // two first requests at once share one model load
  const [{ status, json }, twin] = await Promise.all([
    callJson('POST', '/api/runs/with-model/predict', png),
    callJson('POST', '/api/runs/with-model/predict', png),
  ]);
  assert.deepEqual(twin.json.predictions, json.predictions);
  assert.equal(status, 200, JSON.stringify(json));
  const expected = tf.tidy(() => model.predict(tf.tensor4d(pixels, [1, 8, 8, 3], 'float32')) as tf.Tensor);
  const probabilities = Array.from(await expected.data());
  expected.dispose();
  assert.deepEqual(json.inputShape, [8, 8, 3]);
  assert.equal(json.image.format, 'png');
  assert.equal(json.predictions.length, 3);
  for (const p of json.predictions as Array<{ label: string; probability: number }>) {
    const index = ['a', 'b', 'c'].indexOf(p.label);
    assert.ok(Math.abs(p.probability - probabilities[index]) < 1e-5, `${p.label}: ${p.probability}`);
  }
  assert.ok(json.predictions[0].probability >= json.predictions[1].probability);
  // Grad-CAM of the top class on the conv layer: the 8×8 input enlarged ×40, beside its overlay, with a caption
  assert.equal(json.gradCamLayer, model.layers[0].name);
  const overlay = Buffer.from(json.gradCam.replace(/^data:image\/png;base64,/, ''), 'base64');
  const meta = await sharp(overlay).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['png', 2 * 320 + 3 * 12, 320 + 30 + 2 * 12]);
  // a second prediction reuses the cached model and leaves no tensors behind
  const settled = tf.memory().numTensors;
  await callJson('POST', '/api/runs/with-model/predict', png);
  assert.equal(tf.memory().numTensors, settled);
  model.dispose();
  const noModel = await callJson('POST', '/api/runs/alpha/predict', png);
  assert.equal(noModel.status, 409);
});

test('uploads: a size limit (413), images only by content (415), no empty body (400)', async () => {
  const { png } = await gradientImage();
  const big = Buffer.concat([png, Buffer.alloc(64 * 1024)]);
  const tooBig = await callJson('POST', '/api/runs/with-model/predict', big);
  assert.equal(tooBig.status, 413);
  assert.match(tooBig.json.error.message, /limit of 65536 bytes/);
  const text = await callJson('POST', '/api/runs/with-model/predict', Buffer.from('#!/bin/sh\necho hi\n'));
  assert.equal(text.status, 415);
  assert.deepEqual(Object.keys(text.json), ['error']);
  assert.equal(text.json.error.status, 415);
  // PNG magic bytes followed by garbage: the signature alone is not enough
  const fake = Buffer.concat([png.subarray(0, 8), Buffer.alloc(200, 7)]);
  assert.equal((await callJson('POST', '/api/runs/with-model/predict', fake)).status, 415);
  assert.equal((await callJson('POST', '/api/runs/with-model/predict', Buffer.alloc(0))).status, 400);
  assert.equal((await callJson('GET', '/api/runs/with-model/predict')).status, 405);
});

test('no path traversal through run names or file names', async () => {
  const attempts = [
    '/api/runs/..%2Foutside.json',
    '/api/runs/%2E%2E/files/outside.json',
    '/api/runs/alpha/files/..%2F..%2Foutside.json',
    '/api/runs/alpha/files/.visionlab-runs.db',
    '/api/runs/alpha/files/..%2F.visionlab-runs.db',
    '/api/runs/alpha/files/config.json%00.png',
    '/api/runs/..%5Calpha',
    '/static/..%2F..%2F..%2Fpackage.json',
    '/vendor/..%2Fpackage.json',
  ];
  for (const attempt of attempts) {
    const answer = await call('GET', attempt);
    assert.ok([400, 404].includes(answer.status), `${attempt} → ${answer.status}`);
    assert.ok(!answer.body.toString('utf8').includes('secret'), attempt);
    assert.ok(!answer.body.toString('utf8').includes('"dependencies"'), attempt);
    assert.equal(JSON.parse(answer.body.toString('utf8')).error.status, answer.status);
  }
  // `..` segments are resolved before routing, so they can only land on another route, never outside
  assert.equal((await call('GET', '/api/runs/alpha/../../../outside.json')).status, 404);
  const dotted = await callJson('GET', '/api/runs/alpha/files/%2E%2E');
  assert.equal(dotted.json.name, 'alpha');
  assert.equal((await call('GET', '/api/runs/alpha/files/metrics.json')).status, 200);
});

test('nothing reaches a shell: names full of shell syntax are refused and run nothing', async () => {
  const marker = path.join(runsDir, 'pwned');
  for (const name of [`$(touch ${marker})`, `a;touch ${marker}`, '`touch pwned`', 'a|touch pwned']) {
    const answer = await callJson('GET', `/api/runs/${encodeURIComponent(name)}`);
    assert.equal(answer.status, 400, name);
    const predict = await callJson('POST', `/api/runs/${encodeURIComponent(name)}/predict`, Buffer.from('x'));
    assert.equal(predict.status, 400, name);
  }
  assert.equal(existsSync(marker), false);
  assert.ok(!readdirSync(runsDir).includes('pwned'));
  // and the server's code has no way to start one
  const serveDir = fileURLToPath(new URL('../../src/serve/', import.meta.url));
  for (const file of readdirSync(serveDir).filter((f) => f.endsWith('.ts'))) {
    assert.doesNotMatch(
      readFileSync(path.join(serveDir, file), 'utf8'),
      /child_process|\bexec\(|\bspawn\(/,
      file,
    );
  }
});

test('errors are JSON with the right status codes; only localhost names are served', async () => {
  const missing = await callJson('GET', '/api/runs/nope');
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.json, { error: { status: 404, message: `no run named "nope" in ${runsDir}` } });
  assert.equal((await callJson('GET', '/api/nothing-here')).status, 404);
  assert.equal((await callJson('DELETE', '/api/runs')).status, 405);
  assert.equal((await callJson('GET', '/api/runs/%E0%A4%A')).status, 400);
  const rebound = await call('GET', '/api/runs', undefined, { host: 'attacker.example:6006' });
  assert.equal(rebound.status, 403);
  const page = await call('GET', '/');
  assert.equal(page.status, 200);
  assert.match(page.body.toString('utf8'), /<script type="importmap">/);
  for (const file of ['preact.mjs', 'preact-hooks.mjs', 'htm.mjs', 'vega.min.js', 'vega-lite.min.js']) {
    assert.equal((await call('GET', `/vendor/${file}`)).status, 200, file);
  }
});
