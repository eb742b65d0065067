import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PixelDataset } from '../src/data/pixel-dataset.js';
import { freeze, splitFrozenPrefix } from '../src/freeze/index.js';
import { buildTransferModel } from '../src/models/transfer.js';
import { FrozenFeatureDataset } from '../src/train/feature-cache.js';
import {
  clearPrefixFeatureMemory,
  PrefixFeatureStore,
  prefixFeatureKeys,
} from '../src/train/prefix-feature-store.js';
import { fit } from '../src/train/fit.js';
import { makeOptimizer } from '../src/train/optimizers.js';
import { preprocessDataset } from '../src/train/preprocess-dataset.js';
import { EpochTimer } from '../src/tune/executor.js';
import type { BenchSection } from './sections.js';

const SIZE = 280;

/** `n` images of noise (a fixed pattern per index), two classes, in a PixelDataset as the folders give. */
function noiseImages(n: number, batchSize: number): PixelDataset {
  const frame = SIZE * SIZE * 3;
  return new PixelDataset({
    classNames: ['a', 'b'],
    imageShape: [SIZE, SIZE, 3],
    labels: Int32Array.from({ length: n }, (_, i) => i % 2),
    sources: Array.from({ length: n }, (_, i) => `noise#${i}`),
    batchSize,
    labelMode: 'int',
    shuffle: true,
    seed: 1,
    concurrency: 1,
    prefetch: 1,
    memoryCacheBytes: n * frame,
    load: async (i) => Uint8Array.from({ length: frame }, (_, j) => (j * 31 + i * 17) % 251),
    onWarning: () => {},
  });
}

async function epochSeconds(
  model: Parameters<typeof fit>[0],
  data: Parameters<typeof fit>[1],
  epochs: number,
): Promise<number[]> {
  const timer = new EpochTimer();
  const optimizer = makeOptimizer({ name: 'adam', learningRate: 1e-4 });
  await fit(model, data, { epochs, optimizer, callbacks: [timer], verbose: 0 });
  optimizer.dispose();
  return timer.seconds.map((s) => Math.round(s * 100) / 100);
}

/** The case: DaViT-T at 280² with the stem and the first two stages frozen, one epoch after another. */
export const frozenPrefixSection: BenchSection = {
  name: 'frozenPrefixCache',
  backend: 'native',
  description:
    'DaViT-T 280² with the stem and stages 1–2 frozen: seconds per epoch training the whole model, with the frozen prefix run once per image, and a later trial’s first epoch from the disk cache',
  async run(options) {
    const images = options.quick ? 8 : 32;
    const batch = 4;
    const epochs = 3;
    const { model } = await buildTransferModel({ backbone: 'davit_t', inputShape: [SIZE, SIZE, 3] });
    const frozen = freeze(model, { stages: 2 });
    options.log(`  ${frozen.description}`);
    const data = () => preprocessDataset(noiseImages(images, batch), 'torch');
    options.log(`  whole model: ${epochs} epochs of ${images} images`);
    const plain = await epochSeconds(model, data(), epochs);
    const split = splitFrozenPrefix(model);
    if (!split) throw new Error('DaViT-T with stages 1–2 frozen has no frozen prefix to cache');
    options.log(`  cached prefix (layers 0–${split.cut - 1}): ${epochs} epochs`);
    const dir = await mkdtemp(path.join(tmpdir(), 'bench-prefix-cache-'));
    const store = new PrefixFeatureStore({ dir });
    const slot = () => ({ store, key: prefixFeatureKeys(model, [split.cut], data(), 'torch')[0] });
    const cached = await epochSeconds(
      split.suffix,
      new FrozenFeatureDataset(data(), split.prefix, slot()),
      epochs,
    );
    // A later trial with the same prefix in another process: its first epoch reads the disk cache.
    clearPrefixFeatureMemory();
    options.log(`  a later trial, prefix outputs from the disk cache: 1 epoch`);
    const fromDisk = await epochSeconds(
      split.suffix,
      new FrozenFeatureDataset(data(), split.prefix, slot()),
      1,
    );
    clearPrefixFeatureMemory();
    await rm(dir, { recursive: true, force: true });
    model.dispose();
    const later = (s: number[]) => s.slice(1).reduce((a, b) => a + b, 0) / (s.length - 1);
    return {
      images,
      batch,
      frozen: frozen.description,
      prefixLayers: split.cut,
      epochSecondsWholeModel: plain,
      epochSecondsCachedPrefix: cached,
      firstEpochSecondsFromDiskCache: fromDisk[0],
      laterEpochSpeedup: Math.round((later(plain) / later(cached)) * 100) / 100,
    };
  },
};
