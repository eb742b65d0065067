// Loads a folder in a child process and prints what it saw as JSON (used by tests that need another
// user or several processes at once).
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../src/engine/backend.js';
import { imageDatasetFromDirectory, type ImageLoadOptions } from '../../../src/data/index.js';

const [dir, optionsJson = '{}'] = process.argv.slice(2);
await initBackend('cpu');
const warnings: string[] = [];
const ds = await imageDatasetFromDirectory(dir, {
  shuffle: false,
  ...(JSON.parse(optionsJson) as ImageLoadOptions),
  onWarning: (message: string) => warnings.push(message),
});
const sums: Record<string, number> = {};
for await (const batch of ds.batches(0)) {
  const perImage = tf.tidy(() => tf.sum(batch.x, [1, 2, 3]).arraySync() as number[]);
  batch.indices.forEach((index, k) => (sums[ds.sources[index]] = perImage[k]));
  batch.x.dispose();
  batch.y?.dispose();
}
console.log(JSON.stringify({ length: ds.length, sources: ds.sources, skipped: ds.skipped, sums, warnings }));
