import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { registerData } from '../../src/cli/commands/data.js';
import { VisionlabError } from '../../src/errors.js';
import { formatInspectReport, inspectImageDirectory, type InspectReport } from '../../src/data/index.js';
import { tempDir, writeImage } from './fixtures.js';

/** Runs `visionlab …args` with only the data command registered; returns what it printed. */
async function cli(...args: string[]): Promise<string> {
  const program = new Command('visionlab').exitOverride();
  registerData(program);
  const lines: string[] = [];
  const original = console.log;
  console.log = (...parts: unknown[]) => lines.push(parts.join(' '));
  try {
    await program.parseAsync(['node', 'visionlab', ...args]);
    return lines.join('\n');
  } finally {
    console.log = original;
  }
}

describe('data inspect', () => {
  const tmp = tempDir();
  const splitTree = path.join(tmp.dir, 'splits');
  const flat = path.join(tmp.dir, 'flat');
  before(async () => {
    let v = 0;
    for (const [split, counts] of [
      ['train', { ok: 4, bad: 1 }],
      ['validation', { ok: 1, bad: 1 }],
      ['test', { ok: 1, bad: 1 }],
    ] as const) {
      for (const [cls, n] of Object.entries(counts)) {
        for (let i = 0; i < n; i++)
          await writeImage(path.join(splitTree, split, cls, `${i}.png`), {
            width: 10 + i,
            height: 8,
            value: v++,
          });
      }
    }
    // Leakage: a training image copied into test. A label conflict: the same image under both classes.
    copyFileSync(
      path.join(splitTree, 'train', 'ok', '0.png'),
      path.join(splitTree, 'test', 'ok', 'copy.png'),
    );
    copyFileSync(
      path.join(splitTree, 'train', 'ok', '1.png'),
      path.join(splitTree, 'train', 'bad', 'same.png'),
    );
    writeFileSync(path.join(splitTree, 'train', 'ok', 'broken.jpg'), 'not a jpeg');
    writeFileSync(path.join(splitTree, 'train', 'ok', '.DS_Store'), 'x');
    for (let i = 0; i < 4; i++) await writeImage(path.join(flat, 'a', `${i}.png`), { value: i });
    for (let i = 0; i < 4; i++) await writeImage(path.join(flat, 'b', `${i}.png`), { value: 100 + i });
    copyFileSync(path.join(flat, 'a', '0.png'), path.join(flat, 'a', 'dup.png'));
  });
  after(() => tmp.cleanup());

  it('reports counts per split and class, sizes, unreadable files, duplicates, leakage and imbalance', async () => {
    const report = await inspectImageDirectory(splitTree);
    assert.equal(report.layout, 'splits');
    assert.deepEqual(report.classNames, ['bad', 'ok']);
    assert.deepEqual(report.classCounts, { bad: 4, ok: 7 });
    assert.deepEqual(report.splitCounts.train, { bad: 2, ok: 4 });
    assert.deepEqual(report.splitCounts.test, { bad: 1, ok: 2 });
    assert.equal(report.totalImages, 12);
    assert.equal(report.readableImages, 11);
    assert.equal(report.ignoredHidden, 1);
    assert.deepEqual(report.sizes!.width, { min: 10, median: 10, max: 13 });
    assert.deepEqual(report.sizes!.formats, { png: 11 });
    assert.equal(report.unreadable.length, 1);
    assert.match(report.unreadable[0].source, /broken\.jpg$/);
    assert.equal(report.duplicates.length, 2);
    assert.equal(report.leakage.length, 1);
    assert.deepEqual(report.leakage[0].files.map((f) => f.split).sort(), ['test', 'train']);
    assert.equal(report.conflictingLabels.length, 1);
    assert.ok(report.warnings.some((w) => /class imbalance: ok has 7 images, bad only 4 \(1\.8×\)/.test(w)));
    assert.ok(report.warnings.some((w) => /more than one of train\/validation\/test/.test(w)));
    const text = formatInspectReport(report);
    assert.match(text, /leakage \(same image in two splits\): 1/);
    assert.match(text, /broken\.jpg: not an image/);
  });

  it('checks the split training would make, and no imbalance warning for balanced classes', async () => {
    const report = await inspectImageDirectory(flat, { validationSplit: 0.25, testSplit: 0.25, seed: 1 });
    assert.equal(report.layout, 'classes');
    assert.deepEqual(report.classCounts, { a: 5, b: 4 });
    assert.equal(report.duplicates.length, 1);
    assert.deepEqual(Object.keys(report.splitCounts).sort(), ['test', 'train', 'validation']);
    assert.ok(!report.warnings.some((w) => /imbalance/.test(w)));
    const noSplit = await inspectImageDirectory(flat);
    assert.equal(noSplit.leakage.length, 0);
  });

  it('visionlab data inspect prints JSON and text, and fails clearly on a missing folder', async () => {
    const parsed = JSON.parse(await cli('data', 'inspect', splitTree, '--json')) as InspectReport;
    assert.deepEqual(parsed.classCounts, { bad: 4, ok: 7 });
    assert.match(await cli('data', 'inspect', flat), /9 readable image\(s\) of 9, 2 class\(es\)/);
    const split = JSON.parse(
      await cli(
        'data',
        'inspect',
        flat,
        '--json',
        '--validation-split',
        '0.25',
        '--test-split',
        '0.25',
        '--seed',
        '1',
      ),
    ) as InspectReport;
    assert.deepEqual(Object.keys(split.splitCounts).sort(), ['test', 'train', 'validation']);
    await assert.rejects(
      cli('data', 'inspect', path.join(tmp.dir, 'nope')),
      (err: Error) => err instanceof VisionlabError && /does not exist/.test(err.message),
    );
  });

  it('decodes every file, so a truncated one is unreadable; and fails where training would refuse', async () => {
    const dir = path.join(tmp.dir, 'truncated');
    for (let i = 0; i < 3; i++)
      await writeImage(path.join(dir, 'a', `${i}.png`), { width: 64, height: 64, value: i });
    for (let i = 0; i < 3; i++)
      await writeImage(path.join(dir, 'b', `${i}.png`), { width: 64, height: 64, value: 50 + i });
    const whole = readFileSync(path.join(dir, 'a', '0.png'));
    // the header (and so width and height) survives; the pixel data is cut short
    writeFileSync(path.join(dir, 'a', 'cut.png'), whole.subarray(0, Math.floor(whole.length * 0.6)));
    const report = await inspectImageDirectory(dir);
    assert.deepEqual(
      report.unreadable.map((u) => path.basename(u.source)),
      ['cut.png'],
    );
    assert.deepEqual(report.problems, []);
    mkdirSync(path.join(dir, 'empty'));
    await assert.rejects(
      cli('data', 'inspect', dir),
      /cannot be trained on: class folder\(s\) with no readable image: empty/,
    );
    const one = path.join(tmp.dir, 'one-class');
    await writeImage(path.join(one, 'only', '0.png'));
    await assert.rejects(
      cli('data', 'inspect', one),
      /only one class folder: a classifier needs at least two/,
    );
  });
});
