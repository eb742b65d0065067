// Decode + resize throughput of the dataset pipeline (1024×768 JPEGs → 280×280×3), cold and from the
// caches, next to the rate at which a reduced-AlexNet training step consumes images.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { imageDatasetFromDirectory, type ImageDataset } from '../src/data/index.js';
import { useBackend } from './backends.js';
import { alexnetMini } from './bench-models.js';
import { timeModel } from './model-timing.js';
import type { BenchOptions, BenchSection } from './sections.js';

async function writePhotos(dir: string, count: number): Promise<number> {
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const cls = i % 2 ? 'damaged' : 'normal';
    // Blurred noise compresses and decodes roughly like a photograph (unlike a flat colour).
    const noise = await sharp({
      create: {
        width: 1024,
        height: 768,
        channels: 3,
        background: '#808080',
        noise: { type: 'gaussian', mean: 128, sigma: 40 },
      },
    })
      .raw()
      .toBuffer();
    const info = await sharp(noise, { raw: { width: 1024, height: 768, channels: 3 } })
      .blur(2)
      .jpeg({ quality: 90 })
      .toFile(path.join(dir, cls, `${String(i).padStart(4, '0')}.jpg`));
    bytes += info.size;
  }
  return bytes;
}

async function epochSeconds(ds: ImageDataset, epoch = 0): Promise<number> {
  const t0 = performance.now();
  for await (const batch of ds.batches(epoch)) {
    batch.x.dispose();
    batch.y?.dispose();
  }
  return (performance.now() - t0) / 1000;
}

/** Images per second for one epoch, plus the dataset construction (listing + header checks). */
async function rate(
  dir: string,
  count: number,
  options: Parameters<typeof imageDatasetFromDirectory>[1],
  epochs = 1,
): Promise<{ imagesPerSecond: number; indexSeconds: number; lastEpochImagesPerSecond: number }> {
  const t0 = performance.now();
  const ds = await imageDatasetFromDirectory(dir, {
    imageSize: [280, 280],
    batchSize: 16,
    seed: 1,
    onWarning: () => {},
    ...options,
  });
  const indexSeconds = (performance.now() - t0) / 1000;
  const first = await epochSeconds(ds, 0);
  let last = first;
  for (let e = 1; e < epochs; e++) last = await epochSeconds(ds, e);
  return {
    imagesPerSecond: count / (indexSeconds + first),
    indexSeconds,
    lastEpochImagesPerSecond: count / last,
  };
}

/**
 * The training loop holds the main thread during a step; this stands in for it with a busy wait of
 * `stepMs` per batch and measures how long each following batch keeps the loop waiting.
 */
async function waitPerStep(dir: string, stepMs: number, concurrency: number): Promise<number> {
  const ds = await imageDatasetFromDirectory(dir, {
    imageSize: [280, 280],
    batchSize: 16,
    seed: 2,
    memoryCacheBytes: 0,
    concurrency,
    onWarning: () => {},
  });
  let waited = 0;
  let steps = 0;
  let t = performance.now();
  for await (const batch of ds.batches(0)) {
    if (steps++ > 0) waited += performance.now() - t;
    batch.x.dispose();
    batch.y?.dispose();
    const end = performance.now() + stepMs;
    while (performance.now() < end) {
      // the training step
    }
    t = performance.now();
  }
  return waited / Math.max(1, steps - 1);
}

export async function benchDataDecode(options: BenchOptions): Promise<Record<string, unknown>> {
  const count = options.quick ? 32 : 128;
  const root = mkdtempSync(path.join(os.tmpdir(), 'visionlab-bench-data-'));
  const dir = path.join(root, 'photos');
  try {
    for (const cls of ['normal', 'damaged']) mkdirp(path.join(dir, cls));
    options.log(`  writing ${count} 1024×768 JPEGs`);
    const bytes = await writePhotos(dir, count);
    const cacheDir = path.join(root, 'cache');
    const noMemory = { memoryCacheBytes: 0 };
    options.log('  cold decode, 1 and 64 in flight');
    const cold1 = await rate(dir, count, { ...noMemory, concurrency: 1 });
    const cold4 = await rate(dir, count, { ...noMemory });
    options.log('  cold decode filling the disk cache, then a later run reading it');
    const coldWithCache = await rate(dir, count, { ...noMemory, cacheDir });
    const fromDisk = await rate(dir, count, { ...noMemory, cacheDir });
    options.log('  second epoch from the in-memory cache');
    const inMemory = await rate(dir, count, {}, 2);
    // 16 images at PyTorch's 71 ms/image: the step time the native backend aims for.
    const stepMs = 16 * 71;
    options.log(`  batches of 16 behind a ${stepMs} ms training step that holds the main thread`);
    const prefetch = {
      stepMs,
      waitMsPerStep: {
        concurrency4: await waitPerStep(dir, stepMs, 4),
        concurrency64: await waitPerStep(dir, stepMs, 64),
      },
    };

    await useBackend('native');
    const batch = options.quick ? 4 : 16;
    options.log(`  reduced AlexNet training step, 280×280×3, batch ${batch} (${tf.getBackend()})`);
    const step = await timeModel({
      build: () => alexnetMini([280, 280, 3]),
      inputShape: [280, 280, 3],
      batch,
      warmup: 1,
      reps: options.quick ? 1 : 3,
    });
    const consumption = 1000 / step.trainMsPerImage;
    return {
      images: count,
      jpegKiBEach: Math.round(bytes / count / 1024),
      coldImagesPerSecond: { concurrency1: cold1.imagesPerSecond, concurrency64: cold4.imagesPerSecond },
      coldEpochOnlyImagesPerSecond: cold4.lastEpochImagesPerSecond,
      coldFillingDiskCacheImagesPerSecond: coldWithCache.imagesPerSecond,
      diskCacheImagesPerSecond: fromDisk.imagesPerSecond,
      memoryCacheImagesPerSecond: inMemory.lastEpochImagesPerSecond,
      headerCheckSeconds: cold4.indexSeconds,
      prefetch,
      training: {
        backend: tf.getBackend(),
        batch,
        imagesPerSecond: consumption,
        msPerImage: step.trainMsPerImage,
      },
      /** How many times faster the pipeline supplies images than training consumes them (>1: training never waits). */
      supplyOverDemand: {
        cold: cold4.lastEpochImagesPerSecond / consumption,
        diskCache: fromDisk.imagesPerSecond / consumption,
        /** Against the 71 ms/image bar (PyTorch on this machine) rather than the measured step. */
        coldAtTargetRate: cold4.lastEpochImagesPerSecond / (1000 / 71),
      },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function mkdirp(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

export const dataDecodeSection: BenchSection = {
  name: 'dataDecode',
  description:
    'decode + resize 1024×768 JPEGs to 280×280×3: cold, disk cache, memory cache vs. AlexNet training rate',
  run: benchDataDecode,
};
