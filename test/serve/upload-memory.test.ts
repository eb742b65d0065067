import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { initBackend } from '../../src/engine/backend.js';
import { writeRunFolder } from '../track/fixtures.js';
import { gradientImage, saveModel, tinyClassifier } from './model-fixture.js';
import { rawRequest } from './raw-request.js';
import { TS_NODE_FLAGS } from '../helpers/ts-node.js';

/** CRC-32 of PNG chunks (zlib's polynomial). */
function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/** A 16000×16000 RGBA PNG header with a token of data: what a decompression bomb declares, in a few bytes. */
function bombHeader(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(16000, 0);
  ihdr.writeUInt32BE(16000, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function post(port: number, body: Buffer): Promise<number> {
  const answer = await rawRequest(
    port,
    'POST',
    '/api/runs/alpha/predict',
    { 'x-visionlab-request': '1' },
    body,
  );
  return answer.status;
}

test('10 concurrent large uploads keep the server within a bounded peak memory', async () => {
  await initBackend();
  const runsDir = mkdtempSync(path.join(os.tmpdir(), 'visionlab-rss-'));
  writeRunFolder(runsDir, 'alpha', { config: { classNames: ['a', 'b', 'c'], imageSize: [8, 8] } });
  const model = tinyClassifier(3);
  await saveModel(model, path.join(runsDir, 'alpha'));
  model.dispose();
  // 36 MP RGBA, under the 40 MP limit: 144 MB once decoded, a few hundred KB as a flat PNG
  const large = await sharp({ create: { width: 6000, height: 6000, channels: 4, background: '#80808080' } })
    .png({ compressionLevel: 1 })
    .toBuffer();
  const child = spawn(
    process.execPath,
    [...TS_NODE_FLAGS, path.join(import.meta.dirname, 'rss-server-child.ts'), runsDir],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => String((await lines.next()).value);
  try {
    const port = Number(/^port (\d+)$/.exec(await next())?.[1]);
    const { png } = await gradientImage();
    assert.equal(await post(port, png), 200);
    child.stdin.write('rss\n');
    const [baseline] = (await next()).split(' ').slice(1).map(Number);
    const statuses = await Promise.all([
      ...Array.from({ length: 10 }, () => post(port, large)),
      ...Array.from({ length: 3 }, () => post(port, bombHeader())),
    ]);
    assert.deepEqual(statuses, [...new Array(10).fill(200), 413, 413, 413]);
    child.stdin.write('rss\n');
    const [, peak] = (await next()).split(' ').slice(1).map(Number);
    const growthMb = (peak - baseline) / 1024;
    // Two decodes at a time of 144 MB each plus libvips' working buffers; all ten at once would need 1.4 GB.
    assert.ok(
      growthMb < 700,
      `peak grew by ${growthMb.toFixed(0)} MB over ${(baseline / 1024).toFixed(0)} MB`,
    );
    child.stdin.write('quit\n');
  } finally {
    child.kill();
    rmSync(runsDir, { recursive: true, force: true });
  }
});
