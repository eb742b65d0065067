import { VisionlabError } from '../errors.js';
import os from 'node:os';
import { ByteBudget } from './concurrency.js';
import {
  channelsOf,
  DEFAULT_DECODE_MEMORY_BYTES,
  DEFAULT_MAX_PIXELS,
  INTERPOLATIONS,
  type DecodeSpec,
  type Interpolation,
} from './decode-options.js';
import { randomSeed } from './random.js';
import type { ColorMode, LabelMode } from './types.js';

/** Options shared by every image source, with Keras' names and defaults. */
export interface ImageLoadOptions {
  /** [height, width] every image is resized to. Default [256, 256]. */
  imageSize?: readonly [number, number];
  colorMode?: ColorMode;
  labelMode?: LabelMode;
  interpolation?: Interpolation;
  /** Centre-crop to the target aspect ratio before resizing, instead of stretching. */
  cropToAspectRatio?: boolean;
  batchSize?: number;
  shuffle?: boolean;
  /** Seed of the shuffle and the split; random when omitted. */
  seed?: number;
  /** Images over this many pixels are refused from their header as possible decompression bombs. Default 40 MP. */
  maxPixels?: number;
  /** Full-size decoded bytes in flight at once (large images then decode a few at a time). Default 512 MiB. */
  decodeMemoryBytes?: number;
  /** Folder of an on-disk cache of decoded, resized images, shared across runs. */
  cacheDir?: string;
  /** Keep decoded images in memory up to this many bytes, shared by the splits of one call. Default 512 MiB. */
  memoryCacheBytes?: number;
  /**
   * Images in flight at once. Each decode is one task on libuv's thread pool, which keeps working
   * while the training step holds the main thread, so this should cover the prefetched batches.
   * Default 64.
   */
  concurrency?: number;
  /** Batches prepared ahead of the training loop. Default 2. */
  prefetch?: number;

  /** Read every image's header before training, so unreadable files are known up front. Default true. */
  verify?: boolean;
  /** Where warnings (skipped files, imbalance) go. Default `console.warn`. */
  onWarning?: (message: string) => void;
}

export interface ResolvedLoadOptions {
  spec: DecodeSpec;
  labelMode: LabelMode;
  batchSize: number;
  shuffle: boolean;
  seed: number;
  seedGiven: boolean;
  cacheDir?: string;
  memoryCacheBytes: number;
  /** Shared by every dataset made from one call. */
  memoryBudget: { remaining: number };
  /** Shared by every dataset made from one call. */
  decodeMemory: ByteBudget;
  concurrency: number;
  prefetch: number;
  verify: boolean;
  onWarning: (message: string) => void;
}

/** The batching and loading settings that a dataset over these options passes on to `PixelDataset`. */
export function batchingOf(
  resolved: ResolvedLoadOptions,
): Pick<
  ResolvedLoadOptions,
  'batchSize' | 'labelMode' | 'shuffle' | 'seed' | 'concurrency' | 'prefetch' | 'onWarning'
> {
  const { batchSize, labelMode, shuffle, seed, concurrency, prefetch, onWarning } = resolved;
  return { batchSize, labelMode, shuffle, seed, concurrency, prefetch, onWarning };
}

const COLOR_MODES: readonly ColorMode[] = ['rgb', 'grayscale', 'rgba'];
const LABEL_MODES: readonly LabelMode[] = ['int', 'categorical', 'binary', 'none'];

function positiveInt(name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) {
    throw new VisionlabError(`${name} must be an integer ≥ ${min}, got ${value}.`);
  }
  return value;
}

function oneOf<T extends string>(name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new VisionlabError(`${name} "${value}" is not supported.`, `Use one of: ${allowed.join(', ')}.`);
  }
  return value;
}

/** One float32 batch may take at most this much memory: an image size or batch size far too large fails at once. */
export function maxBatchBytes(): number {
  return Math.min(2 * 1024 ** 3, os.totalmem() / 8);
}

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

/** Refuses image and batch sizes that cannot fit in memory, before any file is read. */
function checkSizes(
  height: number,
  width: number,
  colorMode: ColorMode,
  batchSize: number,
  maxPixels: number,
): void {
  if (height * width > maxPixels) {
    throw new VisionlabError(
      `imageSize ${height}×${width} is ${height * width} pixels, over the limit of ${maxPixels}.`,
      'Use an image size such as 224,224; models train on small images.',
    );
  }
  const bytes = batchSize * height * width * channelsOf(colorMode) * 4;
  if (bytes > maxBatchBytes()) {
    throw new VisionlabError(
      `imageSize ${height}×${width} with batchSize ${batchSize} needs ${gib(bytes)} for each batch of float32 pixels; the limit here is ${gib(maxBatchBytes())}.`,
      'Use a smaller image size or batch size.',
    );
  }
}

export function resolveLoadOptions(options: ImageLoadOptions): ResolvedLoadOptions {
  const [height, width] = options.imageSize ?? [256, 256];
  const memoryCacheBytes = Math.max(0, options.memoryCacheBytes ?? 512 * 1024 * 1024);
  const resolved: ResolvedLoadOptions = {
    spec: {
      height: positiveInt('imageSize height', height),
      width: positiveInt('imageSize width', width),
      colorMode: oneOf('colorMode', options.colorMode ?? 'rgb', COLOR_MODES),
      interpolation: oneOf('interpolation', options.interpolation ?? 'bilinear', INTERPOLATIONS),
      cropToAspectRatio: options.cropToAspectRatio ?? false,
      maxPixels: positiveInt('maxPixels', options.maxPixels ?? DEFAULT_MAX_PIXELS),
    },
    labelMode: oneOf('labelMode', options.labelMode ?? 'int', LABEL_MODES),
    batchSize: positiveInt('batchSize', options.batchSize ?? 32),
    shuffle: options.shuffle ?? true,
    seed: options.seed ?? randomSeed(),
    seedGiven: options.seed !== undefined,
    cacheDir: options.cacheDir,
    memoryCacheBytes,
    memoryBudget: { remaining: memoryCacheBytes },
    concurrency: positiveInt('concurrency', options.concurrency ?? 64),
    prefetch: positiveInt('prefetch', options.prefetch ?? 2, 0),
    verify: options.verify ?? true,
    onWarning: options.onWarning ?? ((message) => console.warn(message)),
    decodeMemory: new ByteBudget(
      positiveInt('decodeMemoryBytes', options.decodeMemoryBytes ?? DEFAULT_DECODE_MEMORY_BYTES),
    ),
  };
  const { spec } = resolved;
  checkSizes(spec.height, spec.width, spec.colorMode, resolved.batchSize, spec.maxPixels);
  return resolved;
}
