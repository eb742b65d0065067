import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { initBackend } from '../../src/engine/backend.js';
import { VisionlabError } from '../../src/errors.js';
import { imageDatasetFromManifest, imageDatasetSplitsFromManifest, parseCsv } from '../../src/data/index.js';
import { tempDir, writeImage } from './fixtures.js';

describe('CSV manifest source', () => {
  const tmp = tempDir();
  const quiet = { imageSize: [4, 4] as const, shuffle: false, onWarning: () => {} };
  before(async () => {
    await initBackend();
    for (let i = 0; i < 6; i++) await writeImage(path.join(tmp.dir, 'img', `p${i}.png`), { value: 20 * i });
    await writeImage(path.join(tmp.dir, 'img', 'with, comma.png'), { value: 250 });
  });
  after(() => tmp.cleanup());

  it('parses quoted fields, doubled quotes, CRLF and a BOM', () => {
    assert.deepEqual(parseCsv('\uFEFFa,"b, c","say ""hi"""\r\nd,e,f\n\n'), [
      ['a', 'b, c', 'say "hi"'],
      ['d', 'e', 'f'],
    ]);
  });

  it('reads path,label rows relative to the manifest, with or without a header', async () => {
    const manifest = path.join(tmp.dir, 'plain.csv');
    writeFileSync(manifest, 'img/p0.png,ok\nimg/p1.png,bad\n"img/with, comma.png",ok\nimg/p2.png,bad\n');
    const ds = await imageDatasetFromManifest(manifest, quiet);
    assert.deepEqual(ds.classNames, ['bad', 'ok']);
    assert.deepEqual([...ds.labels], [1, 0, 1, 0]);
    assert.equal(ds.sources[2], path.join(tmp.dir, 'img', 'with, comma.png'));
    const headed = path.join(tmp.dir, 'headed.csv');
    writeFileSync(headed, 'path,label\nimg/p0.png,ok\nimg/p1.png,bad\n');
    assert.equal((await imageDatasetFromManifest(headed, quiet)).length, 2);
  });

  it('uses the split column for subsets and for the three-way split', async () => {
    const manifest = path.join(tmp.dir, 'split.csv');
    writeFileSync(
      manifest,
      'path,label,split\nimg/p0.png,a,train\nimg/p1.png,b,train\nimg/p2.png,a,val\nimg/p3.png,b,validation\nimg/p4.png,a,test\nimg/p5.png,b,test\n',
    );
    const validation = await imageDatasetFromManifest(manifest, { ...quiet, subset: 'validation' });
    assert.deepEqual(
      validation.sources.map((s) => path.basename(s)),
      ['p2.png', 'p3.png'],
    );
    const { train, test } = await imageDatasetSplitsFromManifest(manifest, quiet);
    assert.deepEqual(
      train.sources.map((s) => path.basename(s)),
      ['p0.png', 'p1.png'],
    );
    assert.deepEqual([...test.labels], [0, 1]);
  });

  it('without a split column, splits stratified from the seed', async () => {
    const manifest = path.join(tmp.dir, 'nosplit.csv');
    writeFileSync(manifest, [0, 1, 2, 3, 4, 5].map((i) => `img/p${i}.png,${i % 2 ? 'b' : 'a'}`).join('\n'));
    const one = await imageDatasetSplitsFromManifest(manifest, {
      ...quiet,
      validationSplit: 0.34,
      testSplit: 0.34,
      seed: 5,
    });
    const two = await imageDatasetSplitsFromManifest(manifest, {
      ...quiet,
      validationSplit: 0.34,
      testSplit: 0.34,
      seed: 5,
    });
    for (const part of [one.train, one.validation, one.test])
      assert.deepEqual([...part.labels].sort(), [0, 1]);
    assert.deepEqual(one.test.sources, two.test.sources);
  });

  it('skips missing files and reports bad rows with their line number', async () => {
    const manifest = path.join(tmp.dir, 'bad.csv');
    writeFileSync(manifest, 'img/p0.png,a\nimg/gone.png,a\nimg/p1.png,b\n');
    const log: string[] = [];
    const ds = await imageDatasetFromManifest(manifest, { ...quiet, onWarning: (m) => log.push(m) });
    assert.equal(ds.length, 2);
    assert.deepEqual(ds.skipped, [
      { source: path.join(tmp.dir, 'img', 'gone.png'), reason: 'file not found' },
    ]);
    assert.match(log[0], /gone\.png: file not found/);
    writeFileSync(manifest, 'img/p0.png,a\nimg/p1.png\n');
    await assert.rejects(
      imageDatasetFromManifest(manifest, quiet),
      (err: Error) => err instanceof VisionlabError && /line 2/.test(err.message),
    );
    writeFileSync(manifest, 'img/p0.png,a,train\nimg/p1.png,b,holdout\n');
    await assert.rejects(imageDatasetFromManifest(manifest, quiet), /split "holdout"/);
    await assert.rejects(imageDatasetFromManifest(path.join(tmp.dir, 'missing.csv'), quiet), /not found/);
  });
});
