import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { initBackend } from '../../src/engine/backend.js';
import { VisionlabError } from '../../src/errors.js';
import { imageDatasetFromDirectory, type ImageDataset } from '../../src/data/index.js';
import { loadInChild } from './child.js';
import { tempDir, writeClassTree, writeImage } from './fixtures.js';

async function epochCount(ds: ImageDataset): Promise<number> {
  let n = 0;
  for await (const batch of ds.batches(0)) {
    n += batch.x.shape[0];
    batch.x.dispose();
    batch.y?.dispose();
  }
  return n;
}

function collector() {
  const messages: string[] = [];
  return { messages, onWarning: (message: string) => messages.push(message) };
}

describe('bad input', () => {
  const tmp = tempDir();
  before(() => initBackend());
  after(() => tmp.cleanup());

  async function tree(name: string): Promise<string> {
    const dir = path.join(tmp.dir, name);
    await writeClassTree(dir, { cats: 3, dogs: 3 }, 6);
    return dir;
  }

  it('skips a zero-byte file, a non-image with an image extension and a corrupt header, and says so up front', async () => {
    const dir = await tree('junk');
    writeFileSync(path.join(dir, 'cats', 'empty.png'), '');
    writeFileSync(path.join(dir, 'cats', 'notes.jpg'), 'these are my notes, not a photo\n');
    const png = readFileSync(path.join(dir, 'dogs', '000.png'));
    const corrupt = Buffer.from(png);
    corrupt.fill(0x5a, 8, 40); // keep the PNG signature, destroy the IHDR chunk
    writeFileSync(path.join(dir, 'dogs', 'corrupt.png'), corrupt);
    const log = collector();
    const ds = await imageDatasetFromDirectory(dir, { imageSize: [4, 4], onWarning: log.onWarning });
    assert.equal(ds.length, 6);
    assert.deepEqual(ds.skipped.map((s) => path.basename(s.source)).sort(), [
      'corrupt.png',
      'empty.png',
      'notes.jpg',
    ]);
    assert.match(ds.skipped.find((s) => s.source.endsWith('empty.png'))!.reason, /empty \(0 bytes\)/);
    assert.match(ds.skipped.find((s) => s.source.endsWith('notes.jpg'))!.reason, /not an image/);
    assert.equal(log.messages.length, 1);
    assert.match(log.messages[0], /^3 file\(s\) could not be read and were skipped:/);
    assert.equal(await epochCount(ds), 6);
  });

  it('a truncated image that passes the header check is dropped mid-epoch and reported at its end', async () => {
    const dir = await tree('truncated');
    const noise = Buffer.from(Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 7919) % 251));
    const jpeg = await sharp(noise, { raw: { width: 64, height: 64, channels: 3 } })
      .jpeg()
      .toBuffer();
    writeFileSync(path.join(dir, 'cats', 'cut.jpg'), jpeg.subarray(0, Math.floor(jpeg.length * 0.6)));
    const log = collector();
    const ds = await imageDatasetFromDirectory(dir, {
      imageSize: [4, 4],
      batchSize: 2,
      onWarning: log.onWarning,
    });
    assert.equal(ds.length, 7);
    assert.equal(await epochCount(ds), 6);
    assert.equal(ds.skipped.length, 1);
    assert.match(ds.skipped[0].source, /cut\.jpg$/);
    assert.match(log.messages.at(-1)!, /1 file\(s\) could not be read[\s\S]*cut\.jpg/);
    assert.equal(await epochCount(ds), 6, 'the second epoch skips it without decoding again');
    assert.equal(log.messages.length, 1, 'reported once, not every epoch');
  });

  it('refuses images over the (configurable) pixel limit', async () => {
    const dir = await tree('bomb');
    await writeImage(path.join(dir, 'cats', 'huge.png'), { width: 200, height: 100 });
    const ds = await imageDatasetFromDirectory(dir, {
      imageSize: [4, 4],
      maxPixels: 10_000,
      onWarning: () => {},
    });
    assert.equal(ds.length, 6);
    assert.match(ds.skipped[0].reason, /200×100 pixels exceeds the limit of 10000/);
    const relaxed = await imageDatasetFromDirectory(dir, { imageSize: [4, 4], maxPixels: 20_000 });
    assert.equal(relaxed.length, 7);
  });

  it('refuses a decompression bomb (a tiny PNG declaring 100000×100000 pixels) by default, from its header', async () => {
    const dir = await tree('realbomb');
    const chunk = (type: string, data: Buffer) => {
      const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
      const length = Buffer.alloc(4);
      length.writeUInt32BE(data.length);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(body));
      return Buffer.concat([length, body, crc]);
    };
    const header = Buffer.alloc(13);
    header.writeUInt32BE(100_000, 0);
    header.writeUInt32BE(100_000, 4);
    header[8] = 8; // bit depth; colour type 0 (grey), no interlace
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      chunk('IDAT', deflateSync(Buffer.alloc(1000))),
      chunk('IEND', Buffer.alloc(0)),
    ]);
    writeFileSync(path.join(dir, 'cats', 'bomb.png'), png);
    const ds = await imageDatasetFromDirectory(dir, { imageSize: [4, 4], onWarning: () => {} });
    assert.equal(ds.length, 6);
    assert.deepEqual(
      ds.skipped.map((s) => path.basename(s.source)),
      ['bomb.png'],
    );
    assert.match(ds.skipped[0].reason, /100000×100000 pixels exceeds the limit of 40000000/);
    // Without the up-front check, each load reads the header before decoding, and refuses it mid-epoch.
    const unchecked = await imageDatasetFromDirectory(dir, {
      imageSize: [4, 4],
      verify: false,
      onWarning: () => {},
    });
    assert.equal(await epochCount(unchecked), 6);
    assert.match(unchecked.skipped[0].reason, /100000×100000 pixels exceeds the limit of 40000000/);
  });

  it('refuses an image or batch size that cannot fit in memory before reading any file', async () => {
    const dir = await tree('oversize');
    await assert.rejects(
      imageDatasetFromDirectory(dir, { imageSize: [100_000, 100_000] }),
      /imageSize 100000×100000 is 10000000000 pixels, over the limit of 40000000/,
    );
    // 32 × 3000 × 3000 × 3 float32 = 3.2 GiB per batch
    await assert.rejects(
      imageDatasetFromDirectory(dir, { imageSize: [3000, 3000], batchSize: 32 }),
      /imageSize 3000×3000 with batchSize 32 needs 3\.2 GiB for each batch of float32 pixels; the limit here is [\d.]+ GiB/,
    );
  });

  it('decodes large images a few at a time within the decode memory budget', async () => {
    const dir = await tree('budget');
    for (let i = 0; i < 4; i++) {
      await writeImage(path.join(dir, 'cats', `large${i}.png`), { width: 400, height: 300 });
    }
    // 400 × 300 × 4 = 480 kB each; a budget of 1 MB lets two decode at once, the small ones beside them
    const ds = await imageDatasetFromDirectory(dir, {
      imageSize: [4, 4],
      decodeMemoryBytes: 1_000_000,
      shuffle: false,
      onWarning: () => {},
    });
    assert.equal(await epochCount(ds), 10);
    const reference = await imageDatasetFromDirectory(dir, { imageSize: [4, 4], shuffle: false });
    for (let i = 0; i < ds.length; i++) assert.deepEqual(await ds.pixels(i), await reference.pixels(i));
  });

  it('an empty class folder, or one left empty by unreadable files, is an error before training', async () => {
    const dir = await tree('emptyclass');
    mkdirSync(path.join(dir, 'birds'));
    await assert.rejects(
      imageDatasetFromDirectory(dir, { onWarning: () => {} }),
      (err: Error) => err instanceof VisionlabError && /"birds" .* no readable images/.test(err.message),
    );
    writeFileSync(path.join(dir, 'birds', 'a.png'), '');
    await assert.rejects(
      imageDatasetFromDirectory(dir, { onWarning: () => {} }),
      (err: Error) => /"birds"/.test(err.message) && /a\.png: the file is empty/.test(err.message),
    );
  });

  it('a tree where every file is unreadable is an error, not an empty dataset', async () => {
    const dir = path.join(tmp.dir, 'allbad');
    mkdirSync(path.join(dir, 'a'), { recursive: true });
    mkdirSync(path.join(dir, 'b'), { recursive: true });
    writeFileSync(path.join(dir, 'a', 'x.png'), 'nope');
    writeFileSync(path.join(dir, 'b', 'y.png'), '');
    await assert.rejects(imageDatasetFromDirectory(dir, { onWarning: () => {} }), /No readable images/);
  });

  it('ignores hidden and system files silently', async () => {
    const dir = await tree('hidden');
    writeFileSync(path.join(dir, 'cats', '.DS_Store'), 'Bud1');
    writeFileSync(path.join(dir, 'cats', 'Thumbs.db'), 'x');
    writeFileSync(path.join(dir, 'cats', '._000.png'), 'AppleDouble');
    await writeImage(path.join(dir, '.trash', 'old.png'));
    await writeImage(path.join(dir, 'dogs', '.cache', 'x.png'));
    const log = collector();
    const ds = await imageDatasetFromDirectory(dir, { imageSize: [4, 4], onWarning: log.onWarning });
    assert.deepEqual(ds.classNames, ['cats', 'dogs']);
    assert.equal(ds.length, 6);
    assert.equal(ds.skipped.length, 0);
    assert.equal(log.messages.length, 0);
  });

  it('reports symlink loops instead of recursing forever, and follows links only when asked', async () => {
    const dir = await tree('links');
    symlinkSync('..', path.join(dir, 'cats', 'loop'));
    symlinkSync('self.png', path.join(dir, 'dogs', 'self.png'));
    await writeImage(path.join(tmp.dir, 'outside', 'o.png'));
    symlinkSync(path.join(tmp.dir, 'outside'), path.join(dir, 'dogs', 'more'));
    // A class folder that is itself a link counts, as in Keras.
    await writeImage(path.join(tmp.dir, 'elsewhere', 'e.png'));
    symlinkSync(path.join(tmp.dir, 'elsewhere'), path.join(dir, 'eels'));
    const notFollowing = await imageDatasetFromDirectory(dir, { imageSize: [4, 4], onWarning: () => {} });
    assert.deepEqual(notFollowing.classNames, ['cats', 'dogs', 'eels']);
    assert.equal(notFollowing.length, 7);
    assert.deepEqual(
      notFollowing.skipped.map((s) => [path.basename(s.source), s.reason]),
      [['self.png', 'symlink loop']],
    );
    const following = await imageDatasetFromDirectory(dir, {
      imageSize: [4, 4],
      followLinks: true,
      onWarning: () => {},
    });
    assert.equal(following.length, 8);
    assert.ok(following.sources.some((s) => s.endsWith(path.join('more', 'o.png'))));
    assert.ok(following.skipped.some((s) => s.source.endsWith('loop') && /symlink loop/.test(s.reason)));
  });

  it('reads file names that are not valid UTF-8', async () => {
    const dir = await tree('bytes');
    const png = readFileSync(path.join(dir, 'cats', '000.png'));
    const rawName = Buffer.concat([
      Buffer.from(path.join(dir, 'cats') + path.sep),
      Buffer.from([0x63, 0xff, 0xfe]),
      Buffer.from('.png'),
    ]);
    writeFileSync(rawName, png);
    const ds = await imageDatasetFromDirectory(dir, { imageSize: [4, 4], shuffle: false });
    assert.equal(ds.length, 7);
    assert.ok(ds.sources.some((s) => s.endsWith('c\uFFFD\uFFFD.png')));
    assert.equal(await epochCount(ds), 7);
  });

  it('skips files it has no permission to read', async () => {
    const dir = await tree('perms');
    const locked = path.join(dir, 'dogs', 'locked.png');
    await writeImage(locked);
    chmodSync(locked, 0o000);
    // root reads anything, so check in a child process that root's file-override capabilities are taken from.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      const result = await loadInChild(dir, { imageSize: [4, 4] }, { obeyFilePermissions: true });
      assert.equal(result.length, 6);
      assert.deepEqual(result.skipped, [{ source: locked, reason: 'permission denied' }]);
      assert.match(result.warnings[0], /1 file\(s\) could not be read[\s\S]*locked\.png: permission denied/);
    } else {
      const ds = await imageDatasetFromDirectory(dir, { imageSize: [4, 4], onWarning: () => {} });
      assert.deepEqual(ds.skipped, [{ source: locked, reason: 'permission denied' }]);
    }
  });
});
