import { promises as fs } from 'node:fs';
import { PixelDataset } from '../data/index.js';
import { decodeRunImage, runImageShape } from './inference.js';
import type { RunInputConfig, SplitFile } from './run-config.js';

/** An unshuffled dataset over listed files, decoded the way the run decoded its training images. */
export function filesDataset(
  files: readonly SplitFile[],
  input: RunInputConfig,
  options: { batchSize?: number; onWarning?: (message: string) => void } = {},
): PixelDataset {
  return new PixelDataset({
    classNames: input.classNames,
    imageShape: runImageShape(input),
    labels: Int32Array.from(files, (f) => f.label),
    sources: files.map((f) => f.path),
    batchSize: options.batchSize ?? 32,
    labelMode: 'int',
    shuffle: false,
    seed: 0,
    concurrency: 4,
    prefetch: 1,
    memoryCacheBytes: 0,
    load: async (index) => decodeRunImage(await fs.readFile(files[index].path), input),
    onWarning: options.onWarning ?? ((message) => console.warn(message)),
  });
}
