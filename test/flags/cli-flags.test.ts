import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { initBackend } from '../../src/engine/backend.js';
import { makeFakeRun, type FakeRun } from '../evaluate/fixtures/fake-run.js';
import { runCli } from '../helpers/run-cli.js';

let run: FakeRun;
before(async () => {
  await initBackend();
  run = await makeFakeRun();
});
after(() => run.cleanup());

test('a bad --batch-size is refused alike by predict, evaluate and train (predict fell back to 32)', async () => {
  const image = path.join(run.dataDir, 'red', 'r1.png');
  for (const bad of ['abc', '0', '2.5']) {
    for (const args of [
      ['predict', run.dir, image],
      ['evaluate', run.dir],
      ['train', '--data', run.dataDir],
    ]) {
      const r = await runCli([...args, '--batch-size', bad]);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.stderr, new RegExp(`^error: --batch-size "${bad}" is not a whole number ≥ 1$`), args[0]);
    }
  }
  const ok = await runCli(['predict', run.dir, image, '--batch-size', '1', '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal((JSON.parse(ok.stdout) as Array<{ predicted: string }>)[0].predicted, 'red');
});

test('summary takes --input-shape H,W as train does: 3 channels', async () => {
  const r = await runCli(['summary', 'alexnet_mini', '--input-shape', '140,140', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { layers: Array<{ outputShape: unknown }> };
  assert.deepEqual(json.layers[0].outputShape, [null, 140, 140, 3]);
});
