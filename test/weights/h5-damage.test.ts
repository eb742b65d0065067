import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/engine/backend.js';
import { readKerasH5, saveWeightsH5 } from '../../src/weights/index.js';
import { TS_NODE_FLAGS } from '../helpers/ts-node.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'visionlab-h5-damage-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a file that is not HDF5 gets one line, without the HDF5 library diagnostics', async () => {
  const bogus = path.join(dir, 'bogus.h5');
  writeFileSync(bogus, 'this is a text file, not HDF5\n'.repeat(100));
  const script = `import { readKerasH5 } from ${JSON.stringify(path.resolve('src/weights/index.js'))};
    try { await readKerasH5(${JSON.stringify(bogus)}); } catch (err) { console.log(err.message.split('\\n')[0]); }`;
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
    execFile(process.execPath, [...TS_NODE_FLAGS, '--input-type=module', '-e', script], (err, out, errOut) =>
      err ? reject(err) : resolve({ stdout: out, stderr: errOut }),
    ),
  );
  assert.equal(
    stdout.trim(),
    `${bogus} is not an HDF5 file (no HDF5 signature): it cannot hold Keras weights.`,
  );
  assert.doesNotMatch(stderr, /HDF5-DIAG/);
});

test('an .h5 whose weight bytes were damaged into non-finite values is refused, naming the weight', async () => {
  await initBackend();
  const model = tfl.sequential({
    layers: [tfl.layers.dense({ units: 4, inputShape: [3], name: 'dense' })],
  });
  // a kernel value whose bytes are easy to find in the file
  const marker = 1234.5678;
  const kernel = new Float32Array(12).fill(0.5);
  kernel[5] = marker;
  model.layers[0].setWeights([tf.tensor2d(kernel, [3, 4]), tf.zeros([4])]);
  const file = path.join(dir, 'weights.h5');
  await saveWeightsH5(model, file);
  model.dispose();
  assert.equal((await readKerasH5(file)).layers[0].weights[0].values[5], Math.fround(marker));
  const bytes = readFileSync(file);
  const at = bytes.indexOf(Buffer.from(new Float32Array([marker]).buffer));
  assert.ok(at > 0);
  bytes.fill(0xff, at, at + 4);
  writeFileSync(file, bytes);
  await assert.rejects(readKerasH5(file), /weight .*kernel.* holds values that are not finite numbers/);
});
