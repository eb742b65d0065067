import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { initBackend } from '../../src/engine/backend.js';
import { imageDatasetFromDirectory } from '../../src/data/index.js';
import { loadInChild, spawnLoad } from './child.js';
import { tempDir, writeClassTree } from './fixtures.js';
import { pixelSums } from './helpers/pixel-sums.js';

function entries(cacheDir: string): string[] {
  return readdirSync(cacheDir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.u8') && !path.basename(name).startsWith('.'))
    .map((name) => path.join(cacheDir, name));
}

/** Every complete entry has the 20-byte header and h·w·c pixels whose CRC-32 matches. */
function assertEntriesValid(cacheDir: string, pixelBytes: number): void {
  for (const file of entries(cacheDir)) {
    const bytes = readFileSync(file);
    assert.equal(bytes.length, 20 + pixelBytes, `${file} is complete`);
    assert.equal(bytes.toString('latin1', 0, 4), 'VLC2');
    assert.equal(crc32(bytes.subarray(20)), bytes.readUInt32LE(16));
  }
}

describe('on-disk image cache', () => {
  const tmp = tempDir();
  const data = path.join(tmp.dir, 'data');
  const options = { imageSize: [5, 5] as const, shuffle: false, onWarning: () => {} };
  let reference: Record<string, number>;
  before(async () => {
    await initBackend();
    await writeClassTree(data, { a: 4, b: 4 }, 12);
    reference = await pixelSums(await imageDatasetFromDirectory(data, options));
  });
  after(() => tmp.cleanup());

  it('later runs read decoded pixels from the cache instead of the file', async () => {
    const cacheDir = path.join(tmp.dir, 'cache-hit');
    const file = path.join(data, 'a', '001.png');
    const mtime = new Date(Math.floor(statSync(file).mtimeMs / 1000) * 1000); // exactly restorable
    utimesSync(file, mtime, mtime);
    assert.deepEqual(
      await pixelSums(await imageDatasetFromDirectory(data, { ...options, cacheDir })),
      reference,
    );
    assert.equal(entries(cacheDir).length, 8);
    // Same size and mtime but different bytes: only a cache hit can still give the old pixels.
    const original = readFileSync(file);
    try {
      writeFileSync(file, Buffer.alloc(original.length, 0x42));
      utimesSync(file, mtime, mtime);
      assert.deepEqual(
        await pixelSums(await imageDatasetFromDirectory(data, { ...options, cacheDir })),
        reference,
      );
      // A new mtime is a new key: the (now garbage) file is decoded again, and skipped.
      utimesSync(file, new Date(mtime.getTime() + 5000), new Date(mtime.getTime() + 5000));
      const ds = await imageDatasetFromDirectory(data, { ...options, cacheDir });
      assert.equal(ds.length, 7);
      assert.equal(ds.skipped[0].source, file);
    } finally {
      writeFileSync(file, original);
      utimesSync(file, mtime, mtime);
    }
  });

  it('keys entries on image size, interpolation and colour mode', async () => {
    const cacheDir = path.join(tmp.dir, 'cache-keys');
    await pixelSums(await imageDatasetFromDirectory(data, { ...options, cacheDir }));
    await pixelSums(await imageDatasetFromDirectory(data, { ...options, cacheDir, imageSize: [6, 6] }));
    await pixelSums(
      await imageDatasetFromDirectory(data, { ...options, cacheDir, interpolation: 'nearest' }),
    );
    const gray = await imageDatasetFromDirectory(data, { ...options, cacheDir, colorMode: 'grayscale' });
    await pixelSums(gray);
    assert.equal(entries(cacheDir).length, 32);
    assert.deepEqual(
      await pixelSums(await imageDatasetFromDirectory(data, { ...options, cacheDir })),
      reference,
    );
  });

  it('detects damaged entries (length, header, checksum) and a leftover temporary file, and redoes them', async () => {
    const cacheDir = path.join(tmp.dir, 'cache-damaged');
    await pixelSums(await imageDatasetFromDirectory(data, { ...options, cacheDir }));
    const [first, second, third] = entries(cacheDir);
    truncateSync(first, 30);
    writeFileSync(second, Buffer.alloc(20 + 75, 0x7f));
    // Right header and length, wrong pixels: what a power cut before write-back can leave.
    const flipped = readFileSync(third);
    flipped[40] ^= 0xff;
    writeFileSync(third, flipped);
    writeFileSync(path.join(path.dirname(first), `.${path.basename(first)}.999.deadbeef.tmp`), 'half');
    assert.deepEqual(
      await pixelSums(await imageDatasetFromDirectory(data, { ...options, cacheDir })),
      reference,
    );
    assertEntriesValid(cacheDir, 75);
  });

  it('two processes filling the same cache at once both get the right pixels', async () => {
    const cacheDir = path.join(tmp.dir, 'cache-shared');
    const [one, two] = await Promise.all([
      loadInChild(data, { imageSize: [5, 5], cacheDir }),
      loadInChild(data, { imageSize: [5, 5], cacheDir }),
    ]);
    assert.deepEqual(one.sums, reference);
    assert.deepEqual(two.sums, reference);
    assert.equal(entries(cacheDir).length, 8);
    assertEntriesValid(cacheDir, 75);
  });

  it('a run killed while writing the cache leaves no damaged entry behind', async () => {
    const big = path.join(tmp.dir, 'big');
    await writeClassTree(big, { a: 60, b: 60 }, 48);
    const cacheDir = path.join(tmp.dir, 'cache-killed');
    const child = spawnLoad(big, { imageSize: [48, 48], cacheDir, concurrency: 1 });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // Kill it as soon as the first entries appear, i.e. in the middle of filling the cache.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      let count = 0;
      try {
        count = entries(cacheDir).length;
      } catch {
        // not created yet
      }
      if (count > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    child.kill('SIGKILL');
    await exited;
    const written = entries(cacheDir).length;
    assert.ok(written > 0 && written <= 120, `${written} entries before the kill`);
    assertEntriesValid(cacheDir, 48 * 48 * 3);
    const expected = await pixelSums(
      await imageDatasetFromDirectory(big, { ...options, imageSize: [48, 48] }),
    );
    const cached = await pixelSums(
      await imageDatasetFromDirectory(big, { ...options, imageSize: [48, 48], cacheDir }),
    );
    assert.deepEqual(cached, expected);
    assert.equal(entries(cacheDir).length, 120);
  });
});
