import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { printable, printableLines } from '../../src/util/printable.js';
import { runCli } from '../helpers/run-cli.js';

const CLEAR = '\x1b[2J\x1b[H';
const TITLE = '\x1b]0;pwned\x07';

test('printable escapes control characters and bidi overrides, leaves other text alone', () => {
  assert.equal(printable(`a${CLEAR}b`), 'a\\x1b[2J\\x1b[Hb');
  assert.equal(printable(`x${TITLE}.png`), 'x\\x1b]0;pwned\\x07.png');
  assert.equal(printable('one\ntwo\r\tthree'), 'one\\ntwo\\r\\tthree');
  assert.equal(printable('\u009b31m \u202eevil'), '\\x9b31m \\u202eevil');
  assert.equal(printable('café/日本語 (1).png'), 'café/日本語 (1).png');
  assert.equal(printableLines(`line one ${TITLE}\nline two`), 'line one \\x1b]0;pwned\\x07\nline two');
});

test('file names with escapes or newlines cannot reach the terminal raw: one line per file', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'visionlab-printable-'));
  try {
    for (const cls of ['cats', 'dogs']) {
      mkdirSync(path.join(dir, cls));
      for (let i = 0; i < 3; i++) {
        await sharp({ create: { width: 8, height: 8, channels: 3, background: '#336699' } })
          .png()
          .toFile(path.join(dir, cls, `${i}.png`));
      }
    }
    writeFileSync(path.join(dir, 'cats', `clear${CLEAR}.png`), 'not an image');
    writeFileSync(path.join(dir, 'dogs', `two\nlines${TITLE}.png`), 'not an image');
    const inspected = await runCli(['data', 'inspect', dir]);
    const predicted = await runCli([
      'predict',
      path.join(dir, 'missing-run'),
      path.join(dir, 'cats', `clear${CLEAR}.png`),
    ]);
    for (const output of [inspected.stdout, inspected.stderr, predicted.stderr]) {
      assert.ok(!output.includes('\x1b') && !output.includes('\x07'), 'no raw escape character');
    }
    assert.match(inspected.stdout, /cats\/clear\\x1b\[2J\\x1b\[H\.png: /);
    const line = inspected.stdout.split('\n').find((l) => l.includes('two\\nlines'));
    assert.match(line ?? '', /dogs\/two\\nlines\\x1b\]0;pwned\\x07\.png: /, 'the name stays on its one line');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
