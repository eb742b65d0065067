import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VisionlabError } from '../../src/errors.js';
import {
  cachedWeightsPath,
  ensurePretrainedFile,
  pretrainedSource,
  visionlabHome,
  type PretrainedSource,
} from '../../src/weights/index.js';

const payload = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) % 256));
const sha256 = createHash('sha256').update(payload).digest('hex');

let server: http.Server;
let baseUrl: string;
let requests = 0;
let home: string;

before(async () => {
  server = http.createServer((req, res) => {
    requests++;
    if (req.url === '/weights.h5') {
      res.writeHead(200, { 'content-length': String(payload.length) });
      res.end(payload);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  home = mkdtempSync(path.join(os.tmpdir(), 'visionlab-home-'));
});
after(() => {
  server.close();
  rmSync(home, { recursive: true, force: true });
});

const source = (fileName: string, url: string, digest = sha256): PretrainedSource => ({
  fileName,
  url,
  checksum: { algorithm: 'sha256', digest },
  layout: 'keras-model',
  origin: 'test',
});

describe('pretrained weights download', () => {
  it('downloads into <home>/weights, verifies the checksum, then serves the cached file without the network', async () => {
    const file = await ensurePretrainedFile(source('good.h5', `${baseUrl}/weights.h5`), {
      home,
      progress: false,
    });
    assert.equal(file, path.join(home, 'weights', 'good.h5'));
    assert.ok(readFileSync(file).equals(payload));
    const seen = requests;
    const again = await ensurePretrainedFile(source('good.h5', 'http://127.0.0.1:9/unreachable'), {
      home,
      progress: false,
    });
    assert.equal(again, file);
    assert.equal(requests, seen);
  });

  it('rejects a download whose checksum differs and keeps nothing', async () => {
    const wrong = source('wrong.h5', `${baseUrl}/weights.h5`, '0'.repeat(64));
    await assert.rejects(ensurePretrainedFile(wrong, { home, progress: false }), (err: Error) => {
      assert.ok(err instanceof VisionlabError);
      assert.match(err.message, new RegExp(`wrong\\.h5 .* has sha256 ${sha256}, expected 0{64}`));
      return true;
    });
    assert.deepEqual(
      readdirSync(path.join(home, 'weights')).filter((f) => f.includes('wrong')),
      [],
    );
  });

  it('when offline, names the file, the URL and exactly where to put it', async () => {
    const offline = source('offline.h5', 'http://127.0.0.1:9/offline.h5');
    const target = path.join(home, 'weights', 'offline.h5');
    for (const options of [{}, { offline: true }]) {
      await assert.rejects(
        ensurePretrainedFile(offline, { home, progress: false, ...options }),
        (err: Error) => {
          assert.ok(err instanceof VisionlabError);
          assert.ok(err.message.includes('offline.h5'));
          assert.ok(err.message.includes(`place it at ${target}`), err.message);
          assert.ok(err.message.includes('http://127.0.0.1:9/offline.h5'));
          assert.ok(err.message.includes(sha256));
          return true;
        },
      );
    }
    await assert.rejects(
      ensurePretrainedFile(source('missing.h5', `${baseUrl}/missing.h5`), { home, progress: false }),
      /HTTP 404/,
    );
  });

  it('keeps a file whose publisher gives no checksum, and says so when it cannot be fetched', async () => {
    const unverified = { ...source('unverified.h5', `${baseUrl}/weights.h5`), checksum: null };
    const file = await ensurePretrainedFile(unverified, { home, progress: false });
    assert.ok(readFileSync(file).equals(payload));
    await assert.rejects(
      ensurePretrainedFile({ ...unverified, fileName: 'gone.h5', url: `${baseUrl}/gone.h5` }, { home }),
      /its publisher gives no checksum/,
    );
  });

  it('refuses a cached file with the wrong checksum', async () => {
    const file = cachedWeightsPath('damaged.h5', home);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, 'truncated');
    await assert.rejects(
      ensurePretrainedFile(source('damaged.h5', `${baseUrl}/weights.h5`), { home }),
      /Delete it/,
    );
    assert.ok(existsSync(file));
  });

  it('uses VISIONLAB_HOME, else ~/.cache/visionlab', () => {
    const saved = process.env.VISIONLAB_HOME;
    try {
      process.env.VISIONLAB_HOME = home;
      assert.equal(visionlabHome(), home);
      delete process.env.VISIONLAB_HOME;
      assert.equal(visionlabHome(), path.join(os.homedir(), '.cache', 'visionlab'));
    } finally {
      if (saved === undefined) delete process.env.VISIONLAB_HOME;
      else process.env.VISIONLAB_HOME = saved;
    }
  });

  it("knows DaViT's ImageNet files and says which exist", () => {
    const t = pretrainedSource('davit_t', 'imagenet');
    assert.equal(
      t.url,
      'https://github.com/leondgarse/keras_cv_attention_models/releases/download/davit/davit_t_imagenet.h5',
    );
    assert.deepEqual(t.checksum, { algorithm: 'md5', digest: '040a215cbcf1c0ce06db665cdcf6f9ac' });
    assert.throws(() => pretrainedSource('davit_t', 'imagenet21k'), /Known: davit_t:imagenet/);
    assert.equal(pretrainedSource('resnet50', 'imagenet').layout, 'keras-weights');
  });
});
