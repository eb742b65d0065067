import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { initBackend } from '../../src/engine/backend.js';
import { startServer, type DashboardServer } from '../../src/serve/index.js';
import { writeRunFolder } from '../track/fixtures.js';
import { gradientImage, saveModel, tinyClassifier } from './model-fixture.js';
import { rawRequest, type Answer } from './raw-request.js';

let runsDir: string;
let server: DashboardServer;

before(async () => {
  await initBackend();
  runsDir = mkdtempSync(path.join(os.tmpdir(), 'visionlab-guard-'));
  writeRunFolder(runsDir, 'alpha', { config: { classNames: ['a', 'b', 'c'], imageSize: [8, 8] } });
  const model = tinyClassifier(3);
  await saveModel(model, path.join(runsDir, 'alpha'));
  model.dispose();
  server = await startServer({ runsDir, port: 0, pollMs: 50, maxEventStreams: 3 });
});

after(async () => {
  await server.close();
  rmSync(runsDir, { recursive: true, force: true });
});

/** A raw request with the headers exactly as given (Host included), as a browser on another name would send. */
async function call(
  port: number,
  method: string,
  rawPath: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<{ status: number; headers: Answer['headers']; body: string }> {
  const answer = await rawRequest(port, method, rawPath, headers, body);
  return { ...answer, body: answer.body.toString('utf8') };
}

test('the Host header must name this machine exactly, with the bound port (no DNS rebinding)', async () => {
  const { port } = server;
  for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
    assert.equal((await call(port, 'GET', '/api/runs', { host })).status, 200, host);
  }
  const refused = [
    `127.evil.example:${port}`,
    '127.evil.example',
    `127.0.0.1.evil.example:${port}`,
    `127.0.0.1:${port}@evil.example`,
    `localhost.evil.example:${port}`,
    `127.0.0.1:${port + 1}`,
    '127.0.0.1',
    `127.0.0.2:${port}`,
    `evil.example:${port}`,
    '',
  ];
  for (const host of refused) {
    const answer = await call(port, 'GET', '/api/runs', { host });
    assert.equal(answer.status, 403, host);
    assert.doesNotMatch(answer.body, /alpha/, host);
    assert.equal((await call(port, 'GET', '/api/runs/alpha', { host })).status, 403, host);
    assert.equal((await call(port, 'GET', '/', { host })).status, 403, host);
  }
});

test('POST predict needs the same origin and the dashboard request header: other pages cannot post', async () => {
  const { port } = server;
  const host = `127.0.0.1:${port}`;
  const { png } = await gradientImage();
  const predict = (headers: Record<string, string>) =>
    call(port, 'POST', '/api/runs/alpha/predict', { host, ...headers }, png);
  // what the dashboard's own page sends
  const own = await predict({
    origin: `http://${host}`,
    'sec-fetch-site': 'same-origin',
    'x-visionlab-request': '1',
  });
  assert.equal(own.status, 200, own.body);
  assert.equal(JSON.parse(own.body).predictions.length, 3);
  // a plain form post or fetch from elsewhere: no custom header, or a foreign origin
  assert.equal((await predict({})).status, 403);
  assert.equal((await predict({ origin: 'http://evil.example' })).status, 403);
  assert.equal((await predict({ origin: 'http://evil.example', 'x-visionlab-request': '1' })).status, 403);
  assert.equal((await predict({ origin: 'null', 'x-visionlab-request': '1' })).status, 403);
  assert.equal((await predict({ 'sec-fetch-site': 'cross-site', 'x-visionlab-request': '1' })).status, 403);
  assert.equal((await predict({ 'sec-fetch-site': 'same-site', 'x-visionlab-request': '1' })).status, 403);
  const refused = await predict({ 'content-type': 'text/plain' });
  assert.match(JSON.parse(refused.body).error.message, /x-visionlab-request/);
});

test('binding a non-loopback address needs allowRemote, and then every API call needs the token', async () => {
  await assert.rejects(
    startServer({ runsDir, port: 0, host: '0.0.0.0' }),
    /binding the dashboard to 0\.0\.0\.0 lets other machines reach it[\s\S]*--allow-remote/,
  );
  const remote = await startServer({ runsDir, port: 0, host: '0.0.0.0', allowRemote: true });
  try {
    const { port, token } = remote;
    assert.match(token ?? '', /^[0-9a-f]{48}$/);
    const host = `192.0.2.10:${port}`;
    assert.equal((await call(port, 'GET', '/api/runs', { host })).status, 401);
    assert.equal((await call(port, 'GET', '/api/runs?token=wrong', { host })).status, 401);
    assert.equal((await call(port, 'GET', `/api/runs?token=${token}`, { host })).status, 200);
    assert.equal(
      (await call(port, 'GET', '/api/runs', { host, authorization: `Bearer ${token}` })).status,
      200,
    );
    // the first page opened with the token sets a cookie that the page's own requests then carry
    const page = await call(port, 'GET', `/?token=${token}`, { host });
    assert.equal(page.status, 200);
    const cookie = String(page.headers['set-cookie']).split(';')[0];
    assert.equal(cookie, `visionlab-token=${token}`);
    assert.match(String(page.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
    assert.equal((await call(port, 'GET', '/api/runs/alpha', { host, cookie })).status, 200);
    // state-changing requests: the token stands in for the request header, but the origin must still match
    const { png } = await gradientImage();
    const post = (headers: Record<string, string>) =>
      call(port, 'POST', '/api/runs/alpha/predict', { host, ...headers }, png);
    assert.equal((await post({ authorization: `Bearer ${token}` })).status, 200);
    assert.equal((await post({ cookie, origin: 'http://evil.example' })).status, 403);
  } finally {
    await remote.close();
  }
});

test('uploads over the pixel limit are refused from their header, before decoding', async () => {
  const { port } = server;
  const host = `127.0.0.1:${port}`;
  // 8000×6000 = 48 MP, under the byte limit (a flat image compresses to a few hundred KB)
  const big = await sharp({ create: { width: 8000, height: 6000, channels: 3, background: '#808080' } })
    .png({ compressionLevel: 9 })
    .toBuffer();
  const answer = await call(
    port,
    'POST',
    '/api/runs/alpha/predict',
    { host, 'x-visionlab-request': '1' },
    big,
  );
  assert.equal(answer.status, 413, answer.body);
  assert.match(JSON.parse(answer.body).error.message, /8000×6000 pixels; the limit is 40000000 pixels/);
});

test('event streams: at most maxEventStreams at once, and ?pollMs= is raised to a floor', async () => {
  const { port } = server;
  const host = `127.0.0.1:${port}`;
  const open: Array<ReturnType<typeof request>> = [];
  const firstEvent = (rawPath: string) =>
    new Promise<{ status: number; data: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: rawPath, headers: { host } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString('utf8');
          if (res.statusCode !== 200 || text.includes('\n\n'))
            resolve({ status: res.statusCode ?? 0, data: text });
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, data: text }));
      });
      req.on('error', reject);
      req.end();
      open.push(req);
    });
  try {
    const first = await firstEvent('/api/runs/alpha/events?pollMs=1');
    assert.equal(first.status, 200);
    const snapshot = JSON.parse(/^data: (.*)$/m.exec(first.data)?.[1] ?? '{}') as { pollMs: number };
    assert.equal(snapshot.pollMs, 250);
    assert.equal((await firstEvent('/api/runs/alpha/events')).status, 200);
    assert.equal((await firstEvent('/api/runs/alpha/events')).status, 200);
    const fourth = await firstEvent('/api/runs/alpha/events');
    assert.equal(fourth.status, 503);
    assert.match(fourth.data, /3 event streams are open already/);
    // closing one frees its slot
    open[0].destroy();
    let again = 503;
    for (let i = 0; i < 100 && again === 503; i++) {
      await new Promise((r) => setTimeout(r, 20));
      again = (await firstEvent('/api/runs/alpha/events')).status;
    }
    assert.equal(again, 200);
  } finally {
    for (const req of open) req.destroy();
  }
});

test('a symlinked run folder leading out of the runs folder is not a run', async () => {
  const outside = mkdtempSync(path.join(os.tmpdir(), 'visionlab-outside-'));
  try {
    writeRunFolder(outside, 'secret', { config: { secret: 'outside-value' } });
    symlinkSync(path.join(outside, 'secret'), path.join(runsDir, 'linked'));
    const { port } = server;
    const host = `127.0.0.1:${port}`;
    const detail = await call(port, 'GET', '/api/runs/linked', { host });
    assert.equal(detail.status, 404);
    assert.equal((await call(port, 'GET', '/api/runs/linked/files/config.json', { host })).status, 404);
    const list = await call(port, 'GET', '/api/runs', { host });
    assert.doesNotMatch(list.body, /outside-value|"linked"/);
    // a run file that is a symlink (config.json → a file elsewhere) is not read either
    mkdirSync(path.join(runsDir, 'sly'));
    symlinkSync(path.join(outside, 'secret', 'config.json'), path.join(runsDir, 'sly', 'config.json'));
    writeFileSync(path.join(runsDir, 'sly', 'status.json'), '{"status":"finished"}');
    const sly = await call(port, 'GET', '/api/runs/sly', { host });
    assert.equal(sly.status, 200);
    assert.doesNotMatch(sly.body, /outside-value/);
  } finally {
    rmSync(path.join(runsDir, 'linked'), { force: true });
    rmSync(path.join(runsDir, 'sly'), { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});

test('a FIFO named as a run file never blocks the server', async () => {
  const dir = writeRunFolder(runsDir, 'piped');
  rmSync(path.join(dir, 'history.csv'));
  execFileSync('mkfifo', [path.join(dir, 'history.csv')]);
  try {
    const { port } = server;
    const host = `127.0.0.1:${port}`;
    const answer = await call(port, 'GET', '/api/runs/piped', { host });
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.body).history, []);
    const events = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/api/runs/piped/events', headers: { host } },
        (res) => {
          res.once('data', (c: Buffer) => {
            resolve(c.toString('utf8'));
            req.destroy();
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.match(events, /^event: snapshot/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
