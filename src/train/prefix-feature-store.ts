import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ImageDataset } from '../data/types.js';
import { sweepTempFiles, writeFileAtomic } from '../util/atomic-write.js';
import { dataFingerprint } from './resume-point.js';

/** Where the prefix outputs of a whole image set are kept between epochs, trials and processes. */
export interface PrefixFeatureStoreOptions {
  /** A folder for the disk cache (none: memory only, shared by the trials of this process). */
  dir?: string;
  /** The disk cache's bound: the least recently used sets go first (default 2 GiB). */
  maxDiskBytes?: number;
}

const FILE_EXT = '.f32';
const DEFAULT_DISK_BYTES = 2 ** 31;
/** The in-process cache's bound, over all sets; the least recently used go first. */
const MEMORY_BYTES = 2 ** 30;

const memory = new Map<string, Float32Array>();
let memoryBytes = 0;

function remember(key: string, features: Float32Array): void {
  if (memory.has(key)) return;
  memory.set(key, features);
  memoryBytes += features.byteLength;
  for (const [k, v] of memory) {
    if (memoryBytes <= MEMORY_BYTES || k === key) break;
    memory.delete(k);
    memoryBytes -= v.byteLength;
  }
}

/**
 * The keys of the outputs of the model's prefixes ending at `cuts` (layers 0 … cut-1) on an image set:
 * each hashes those layers' kinds, configs (without names, which differ from build to build) and weight
 * bytes in order, then the images (paths and labels, in order), their shape and how they were
 * preprocessed. Equal keys: equal outputs. One pass over the weights for all cuts.
 */
export function prefixFeatureKeys(
  model: LayersModel,
  cuts: readonly number[],
  dataset: ImageDataset,
  preprocessing: string,
): string[] {
  const images = JSON.stringify([dataFingerprint(dataset), dataset.imageShape, preprocessing]);
  const hash = createHash('sha256');
  const keys = new Map<number, string>();
  const last = Math.max(0, ...cuts);
  for (let i = 0; i <= last; i++) {
    if (cuts.includes(i)) keys.set(i, hash.copy().update(images).digest('hex').slice(0, 32));
    if (i === last) break;
    const layer = model.layers[i];
    const { name: _name, ...config } = layer.getConfig();
    hash.update(`${layer.getClassName()}${JSON.stringify(config)}\n`);
    for (const w of layer.weights) {
      const values = w.read().dataSync() as Float32Array;
      hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    }
  }
  return cuts.map((c) => keys.get(c)!);
}

/** Prefix outputs of whole image sets, one flat array per set, in memory and optionally on disk. */
export class PrefixFeatureStore {
  private readonly maxDiskBytes: number;

  constructor(private readonly options: PrefixFeatureStoreOptions = {}) {
    this.maxDiskBytes = options.maxDiskBytes ?? DEFAULT_DISK_BYTES;
  }

  private file(key: string): string | undefined {
    return this.options.dir && path.join(this.options.dir, `${key}${FILE_EXT}`);
  }

  /** Whether either cache holds the set (without reading it). */
  has(key: string): boolean {
    const file = this.file(key);
    return memory.has(key) || (file !== undefined && existsSync(file));
  }

  /** The set's outputs (every example's, in dataset order), or undefined when neither cache has them. */
  async load(key: string, floats: number): Promise<Float32Array | undefined> {
    const cached = memory.get(key);
    if (cached?.length === floats) {
      // Most recently used last.
      memory.delete(key);
      memory.set(key, cached);
      return cached;
    }
    const file = this.file(key);
    if (!file || !existsSync(file)) return undefined;
    const bytes = await fs.readFile(file);
    if (bytes.byteLength !== floats * 4) return undefined;
    const now = new Date();
    await fs.utimes(file, now, now).catch(() => undefined);
    const features = new Float32Array(bytes.buffer, bytes.byteOffset, floats).slice();
    remember(key, features);
    return features;
  }

  /** Keeps a complete set: in memory, and on disk (temp name and rename), then trims the disk cache to its bound. */
  async save(key: string, features: Float32Array): Promise<void> {
    remember(key, features);
    const file = this.file(key);
    if (!file || existsSync(file)) return;
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, new Uint8Array(features.buffer, features.byteOffset, features.byteLength));
    await this.trim();
  }

  /** Removes the least recently used sets until the disk cache fits its bound, and temp files of dead writers. */
  async trim(): Promise<void> {
    const dir = this.options.dir;
    if (!dir || !existsSync(dir)) return;
    await sweepTempFiles(dir);
    const entries = await Promise.all(
      (await fs.readdir(dir))
        .filter((f) => f.endsWith(FILE_EXT))
        .map(async (f) => ({ file: path.join(dir, f), stat: await fs.stat(path.join(dir, f)) })),
    );
    entries.sort((a, b) => a.stat.mtimeMs - b.stat.mtimeMs);
    let total = entries.reduce((sum, e) => sum + e.stat.size, 0);
    for (const e of entries) {
      if (total <= this.maxDiskBytes) break;
      await fs.rm(e.file, { force: true });
      total -= e.stat.size;
    }
  }
}

/** Forgets the in-process cache (tests; or to give its memory back). */
export function clearPrefixFeatureMemory(): void {
  memory.clear();
  memoryBytes = 0;
}
