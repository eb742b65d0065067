export type * from './types.js';
export {
  imageDatasetFromDirectory,
  imageDatasetSplitsFromDirectory,
  indexImageDirectory,
} from './from-directory.js';
export type {
  DirectoryOptions,
  DirectoryDatasetOptions,
  DirectorySplitOptions,
  IndexedDirectory,
} from './from-directory.js';
export type { ImageLoadOptions } from './options.js';
export { PixelDataset, skippedSummary } from './pixel-dataset.js';
export type { PixelLoader, PixelDatasetConfig, MemoryBudget } from './pixel-dataset.js';
export { decodeImage, probeImage, ImageReadError } from './decode-image.js';
export { DEFAULT_MAX_PIXELS, INTERPOLATIONS, channelsOf, colorModeOf } from './decode-options.js';
export type { DecodeSpec, Interpolation } from './decode-options.js';
export { ImageCache } from './image-cache.js';
export { IMAGE_EXTENSIONS } from './image-files.js';
export type { ImageFile } from './image-files.js';
export { stratifiedSplit, kerasValidationSplit } from './split.js';
export type { SplitIndices } from './split.js';
export { createRng, deriveSeed } from './random.js';
export type { Rng } from './random.js';
export { idxDataset, loadFashionMnist, FASHION_MNIST_CLASSES, FASHION_MNIST_DIR } from './from-idx.js';
export type { IdxDatasetOptions } from './from-idx.js';
export { parseIdx, readIdxFile } from './idx-file.js';
export type { IdxArray } from './idx-file.js';
export { imageDatasetFromManifest, imageDatasetSplitsFromManifest } from './from-manifest.js';
export type { ManifestOptions, ManifestSplitOptions, ManifestSplit } from './from-manifest.js';
export { parseCsv, formatCsvLine } from './csv.js';
export * from './augment/index.js';
export { inspectImageDirectory } from './inspect.js';
export type { InspectOptions, InspectReport, InspectedFile, SizeSummary } from './inspect.js';
export { formatInspectReport } from './format-inspect-report.js';
