import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/engine/backend.js';
import { VisionlabError } from '../../src/errors.js';
import { FASHION_MNIST_DIR, idxDataset, loadFashionMnist, parseIdx } from '../../src/data/index.js';
import { tempDir } from './fixtures.js';

function idxBytes(typeCode: number, shape: number[], values: number[], bytesPer = 1): Buffer {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header[2] = typeCode;
  header[3] = shape.length;
  shape.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  const body = Buffer.alloc(values.length * bytesPer);
  values.forEach((v, i) => (bytesPer === 1 ? body.writeUInt8(v, i) : body.writeInt32BE(v, i * 4)));
  return Buffer.concat([header, body]);
}

describe('IDX source', () => {
  const tmp = tempDir();
  before(() => initBackend());
  after(() => tmp.cleanup());

  it('parses uint8 and int32 IDX arrays, gzipped or not', () => {
    const plain = idxBytes(0x08, [2, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (const bytes of [plain, gzipSync(plain)]) {
      const parsed = parseIdx(bytes, 'x');
      assert.deepEqual(parsed.shape, [2, 2, 3]);
      assert.deepEqual([...parsed.data], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    }
    const ints = parseIdx(idxBytes(0x0c, [3], [-1, 70000, 5], 4), 'y');
    assert.ok(ints.data instanceof Int32Array);
    assert.deepEqual([...ints.data], [-1, 70000, 5]);
  });

  it('rejects a bad magic number, a truncated body and mismatched counts with clear errors', async () => {
    assert.throws(() => parseIdx(Buffer.from('PK\x03\x04 zip file'), 'a.zip'), /a\.zip is not an IDX file/);
    const full = idxBytes(0x08, [4, 2, 2], new Array(16).fill(1));
    assert.throws(() => parseIdx(full.subarray(0, full.length - 3), 'short'), /short is truncated.*4×2×2/);
    const images = path.join(tmp.dir, 'i.idx');
    const labels = path.join(tmp.dir, 'l.idx');
    writeFileSync(images, full);
    writeFileSync(labels, idxBytes(0x08, [3], [0, 1, 1]));
    await assert.rejects(
      idxDataset(images, labels),
      (err: Error) => err instanceof VisionlabError && /3 labels but .* 4 images/.test(err.message),
    );
    await assert.rejects(idxDataset(path.join(tmp.dir, 'none'), labels), /not found/);
  });

  it('yields the stored pixels, and resizes / converts to rgb on request', async () => {
    const images = path.join(tmp.dir, 'images.idx.gz');
    const labels = path.join(tmp.dir, 'labels.idx');
    // Two 2×2 images: a constant 40, and a constant 200.
    writeFileSync(images, gzipSync(idxBytes(0x08, [2, 2, 2], [40, 40, 40, 40, 200, 200, 200, 200])));
    writeFileSync(labels, idxBytes(0x08, [2], [1, 0]));
    const ds = await idxDataset(images, labels, { batchSize: 2, shuffle: false, labelMode: 'categorical' });
    assert.deepEqual(ds.imageShape, [2, 2, 1]);
    assert.deepEqual(ds.classNames, ['0', '1']);
    assert.deepEqual(ds.sources, ['images.idx.gz#0', 'images.idx.gz#1']);
    const { value } = await ds.batches().next();
    assert.deepEqual(value!.x.arraySync(), [
      [
        [[40], [40]],
        [[40], [40]],
      ],
      [
        [[200], [200]],
        [[200], [200]],
      ],
    ]);
    assert.deepEqual(value!.y!.arraySync(), [
      [0, 1],
      [1, 0],
    ]);
    tf.dispose([value!.x, value!.y!]);
    const rgb = await idxDataset(images, labels, { imageSize: [3, 3], colorMode: 'rgb', shuffle: false });
    const batch = (await rgb.batches().next()).value!;
    assert.deepEqual(batch.x.shape, [2, 3, 3, 3]);
    assert.deepEqual(await tf.max(batch.x, [1, 2, 3]).array(), [40, 200]);
    assert.deepEqual(await tf.min(batch.x, [1, 2, 3]).array(), [40, 200]);
    tf.dispose([batch.x, batch.y!]);
  });

  it(
    'loads Fashion-MNIST from the Debian package in one call',
    { skip: !existsSync(FASHION_MNIST_DIR) },
    async () => {
      const { train, test } = await loadFashionMnist({ batchSize: 4, shuffle: false });
      assert.equal(train.length, 60000);
      assert.equal(test.length, 10000);
      assert.deepEqual(train.imageShape, [28, 28, 1]);
      assert.equal(train.classNames[9], 'Ankle boot');
      assert.deepEqual([...train.labels.slice(0, 12)], [9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9]);
      assert.deepEqual([...test.labels.slice(0, 4)], [9, 2, 1, 1]);
      const first = (await train.batches().next()).value!;
      // The first training image sums to 76247; its row 14 starts 0, 0, 1, 4, 6, 7, 2.
      assert.equal(tf.sum(tf.slice(first.x, [0, 0, 0, 0], [1, 28, 28, 1])).arraySync(), 76247);
      assert.deepEqual(tf.slice(first.x, [0, 14, 0, 0], [1, 1, 7, 1]).dataSync().join(), '0,0,1,4,6,7,2');
      assert.deepEqual(first.y!.arraySync(), [9, 0, 0, 3]);
      tf.dispose([first.x, first.y!]);
      await assert.rejects(loadFashionMnist({ dir: tmp.dir }), /apt-get install dataset-fashion-mnist/);
    },
  );
});
