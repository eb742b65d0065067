import * as tf from '@tensorflow/tfjs-core';
import { Limiter } from './concurrency.js';
import type { SkippedFile } from './image-files.js';
import { labelTensor } from './label-tensor.js';
import { createRng, deriveSeed, permutation } from './random.js';
import type { Batch, ImageDataset, LabelMode } from './types.js';
import { printable } from '../util/printable.js';

/** Bytes of decoded images that may still be kept in memory. */
export interface MemoryBudget {
  remaining: number;
}

/** Loads one example's uint8 HWC pixels; throws to have the example skipped. */
export type PixelLoader = (index: number) => Promise<Uint8Array>;

export interface PixelDatasetConfig {
  classNames: readonly string[];
  imageShape: readonly [number, number, number];
  labels: Int32Array;
  sources: readonly string[];
  batchSize: number;
  labelMode: LabelMode;
  shuffle: boolean;
  seed: number;
  /** Images decoded at once (sharp runs each on a libuv thread). */
  concurrency: number;
  /** Batches prepared ahead of the one being consumed. */
  prefetch: number;
  /** Keep decoded images in memory up to this many bytes (later epochs skip decoding). */
  memoryCacheBytes: number;
  /** A budget shared with other datasets (e.g. the splits of one folder); replaces `memoryCacheBytes`. */
  memoryBudget?: MemoryBudget;
  load: PixelLoader;
  /** Files already passed over while building the dataset. */
  skipped?: readonly SkippedFile[];
  onWarning: (message: string) => void;
}

/** Formats "N files could not be read…" with the first few paths. */
export function skippedSummary(skipped: readonly SkippedFile[], shown = 5): string {
  const lines = skipped.slice(0, shown).map((s) => `  ${printable(s.source)}: ${printable(s.reason)}`);
  const more = skipped.length > shown ? [`  … and ${skipped.length - shown} more`] : [];
  return [`${skipped.length} file(s) could not be read and were skipped:`, ...lines, ...more].join('\n');
}

/**
 * An `ImageDataset` over examples whose pixels come from a loader: batches are assembled in order,
 * decoding runs concurrently and `prefetch` batches ahead, and an example whose pixels cannot be
 * loaded is dropped from its batch and reported at the end of the epoch (never thrown mid-epoch).
 */
export class PixelDataset implements ImageDataset {
  readonly classNames: readonly string[];
  readonly imageShape: readonly [number, number, number];
  readonly length: number;
  readonly batchSize: number;
  readonly labelMode: LabelMode;
  readonly labels: Int32Array;
  readonly sources: readonly string[];
  readonly seed: number;
  readonly shuffle: boolean;
  private readonly skippedList: SkippedFile[];
  private readonly failed = new Set<number>();
  private readonly memory = new Map<number, Uint8Array>();
  private readonly budget: MemoryBudget;
  private readonly limiter: Limiter;

  constructor(private readonly config: PixelDatasetConfig) {
    this.classNames = config.classNames;
    this.imageShape = config.imageShape;
    this.labels = config.labels;
    this.sources = config.sources;
    this.length = config.labels.length;
    this.batchSize = config.batchSize;
    this.labelMode = config.labelMode;
    this.seed = config.seed;
    this.shuffle = config.shuffle;
    this.skippedList = [...(config.skipped ?? [])];
    this.limiter = new Limiter(Math.max(1, config.concurrency));
    this.budget = config.memoryBudget ?? { remaining: config.memoryCacheBytes };
  }

  /** Every file passed over so far: while building the dataset and during epochs. */
  get skipped(): readonly SkippedFile[] {
    return this.skippedList;
  }

  numBatches(): number {
    return Math.ceil(this.length / this.batchSize);
  }

  /** Example order of an epoch: a pure function of (seed, epoch) when shuffling. */
  order(epoch = 0): Int32Array {
    if (!this.shuffle) return Int32Array.from({ length: this.length }, (_, i) => i);
    return permutation(this.length, createRng(deriveSeed(this.seed, epoch)));
  }

  /** Uint8 pixels of one example (from memory when cached). */
  async pixels(index: number): Promise<Uint8Array> {
    const cached = this.memory.get(index);
    if (cached) return cached;
    const pixels = await this.limiter.run(() => this.config.load(index));
    if (pixels.length <= this.budget.remaining && !this.memory.has(index)) {
      this.memory.set(index, pixels);
      this.budget.remaining -= pixels.length;
    }
    return pixels;
  }

  async *batches(epoch = 0): AsyncGenerator<Batch> {
    const order = this.order(epoch);
    const skippedBefore = this.skippedList.length;
    const count = this.numBatches();
    const pending: Array<Promise<Array<Uint8Array | undefined>>> = [];
    const start = (b: number): void => {
      const indices = order.subarray(b * this.batchSize, Math.min(this.length, (b + 1) * this.batchSize));
      const loads = Array.from(indices, (i) => (this.failed.has(i) ? undefined : this.loadOrSkip(i)));
      const all = Promise.all(loads);
      all.catch(() => undefined);
      pending[b] = all;
    };
    try {
      for (let b = 0; b < count; b++) {
        for (let ahead = b; ahead <= Math.min(count - 1, b + this.config.prefetch); ahead++) {
          if (!pending[ahead]) start(ahead);
        }
        const loaded = await pending[b];
        delete pending[b];
        const indices = order.subarray(b * this.batchSize, Math.min(this.length, (b + 1) * this.batchSize));
        const batch = this.assemble(indices, loaded);
        if (batch) yield batch;
      }
    } finally {
      const newlySkipped = this.skippedList.slice(skippedBefore);
      if (newlySkipped.length > 0) this.config.onWarning(skippedSummary(newlySkipped));
    }
  }

  private async loadOrSkip(index: number): Promise<Uint8Array | undefined> {
    try {
      return await this.pixels(index);
    } catch (err) {
      if (!this.failed.has(index)) {
        this.failed.add(index);
        this.skippedList.push({ source: this.sources[index], reason: (err as Error).message });
      }
      return undefined;
    }
  }

  private assemble(indices: Int32Array, loaded: Array<Uint8Array | undefined>): Batch | undefined {
    const kept = indices.filter((_, k) => loaded[k] !== undefined);
    if (kept.length === 0) return undefined;
    const [h, w, c] = this.imageShape;
    const size = h * w * c;
    const x = new Float32Array(kept.length * size);
    let row = 0;
    for (const pixels of loaded) {
      if (!pixels) continue;
      x.set(pixels, row++ * size);
    }
    const classIndices = Int32Array.from(kept, (i) => this.labels[i]);
    return {
      x: tf.tensor4d(x, [kept.length, h, w, c], 'float32'),
      y: labelTensor(classIndices, this.labelMode, this.classNames.length),
      indices: Int32Array.from(kept),
    };
  }
}
