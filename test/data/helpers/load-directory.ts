// Loads a folder in a child process and prints what it saw as JSON (used by tests that need another
// user or several processes at once).
import { initBackend } from '../../../src/engine/backend.js';
import { imageDatasetFromDirectory, type ImageLoadOptions } from '../../../src/data/index.js';
import { pixelSums } from './pixel-sums.js';

const [dir, optionsJson = '{}'] = process.argv.slice(2);
await initBackend('cpu');
const warnings: string[] = [];
const ds = await imageDatasetFromDirectory(dir, {
  shuffle: false,
  ...(JSON.parse(optionsJson) as ImageLoadOptions),
  onWarning: (message: string) => warnings.push(message),
});
const sums = await pixelSums(ds);
console.log(JSON.stringify({ length: ds.length, sources: ds.sources, skipped: ds.skipped, sums, warnings }));
