import { promises as fs } from 'node:fs';
import { decodeImage, PixelDataset } from '../data/index.js';
import { DEFAULT_MAX_PIXELS } from '../data/decode-options.js';
import type { RunInputConfig, SplitFile } from './run-config.js';

function channelsOf(colorMode: RunInputConfig['colorMode']): number {
  return colorMode === 'grayscale' ? 1 : colorMode === 'rgba' ? 4 : 3;
}

/** The decode settings of a run: its image size, colour mode and resampling. */
export function decodeSpecOf(input: RunInputConfig) {
  return {
    height: input.imageSize[0],
    width: input.imageSize[1],
    colorMode: input.colorMode,
    interpolation: input.interpolation ?? 'bilinear',
    cropToAspectRatio: input.cropToAspectRatio ?? false,
    maxPixels: DEFAULT_MAX_PIXELS,
  } as const;
}

/** An unshuffled dataset over listed files, decoded the way the run decoded its training images. */
export function filesDataset(
  files: readonly SplitFile[],
  input: RunInputConfig,
  options: { batchSize?: number; onWarning?: (message: string) => void } = {},
): PixelDataset {
  const spec = decodeSpecOf(input);
  return new PixelDataset({
    classNames: input.classNames,
    imageShape: [spec.height, spec.width, channelsOf(spec.colorMode)],
    labels: Int32Array.from(files, (f) => f.label),
    sources: files.map((f) => f.path),
    batchSize: options.batchSize ?? 32,
    labelMode: 'int',
    shuffle: false,
    seed: 0,
    concurrency: 4,
    prefetch: 1,
    memoryCacheBytes: 0,
    load: async (index) => decodeImage(await fs.readFile(files[index].path), spec),
    onWarning: options.onWarning ?? ((message) => console.warn(message)),
  });
}
