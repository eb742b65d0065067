// One training epoch of the small CNN on Fashion-MNIST, as `visionlab train` runs it: the 70 % training
// part of a stratified 70/20/10 split of the 60,000 training images (42,000), batch 64, Adam, sparse
// categorical cross-entropy, through `fit` and a PixelDataset (images already decoded in memory): the
// planned step `fit` picks, the eager step for the ratio, and the planned step in bf16 where the CPU has it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FASHION_MNIST_DIR, loadFashionMnist } from '../src/data/from-idx.js';
import { PixelDataset } from '../src/data/pixel-dataset.js';
import { stratifiedSplit } from '../src/data/split.js';
import { buildSmallCnn } from '../src/models/small-cnn.js';
import { Callback } from '../src/train/callbacks/callback.js';
import { fit } from '../src/train/fit.js';
import { makeOptimizer } from '../src/train/optimizers.js';
import { nativeBackendDetails } from './backends.js';
import { cpuPeak, shareOfPeak } from './cpu-peak.js';
import type { BenchSection } from './sections.js';
import { runTorchScript, type Skipped } from './torch-python.js';
import { summarizeModel } from '../src/models/summary.js';
import { detectPrecisionSupport, getPrecision, withPrecision } from '../src/engine/precision.js';

export const BATCH = 64;
const SEED = 42;

/** Wall time of each batch, from one batch's end to the next one's. */
class StepTimer extends Callback {
  readonly name = 'StepTimer';
  readonly stepMs: number[] = [];
  private last = 0;
  override async onEpochBegin(): Promise<void> {
    this.last = performance.now();
  }
  override async onBatchEnd(): Promise<void> {
    const now = performance.now();
    this.stepMs.push(now - this.last);
    this.last = now;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The examples `indices` of `source` as a dataset of their own, shuffled per epoch like the training split. */
export function subset(source: PixelDataset, indices: Int32Array): PixelDataset {
  return new PixelDataset({
    classNames: source.classNames,
    imageShape: source.imageShape,
    labels: Int32Array.from(indices, (i) => source.labels[i]),
    sources: Array.from(indices, (i) => source.sources[i]),
    batchSize: BATCH,
    labelMode: 'int',
    shuffle: true,
    seed: SEED,
    concurrency: 8,
    prefetch: 2,
    memoryCacheBytes: 0,
    load: (i) => source.pixels(indices[i]),
    onWarning: () => undefined,
  });
}

/** Fashion-MNIST's training file and the indices of the 70 % `visionlab train` trains on (42,000). */
export async function fashionTrainingPart(): Promise<{ train: PixelDataset; indices: Int32Array }> {
  const { train } = await loadFashionMnist({ batchSize: BATCH, seed: SEED });
  const parts = stratifiedSplit(train.labels, { validation: 0.2, test: 0.1 }, SEED);
  return { train, indices: parts.train };
}

interface TorchSmallCnn {
  threads: number;
  images: number;
  epochSeconds: number;
  msPerStep: number;
  cpuSecondsPerEpoch: number;
  peakRssMiB: number;
}

function torchReference(indices: Int32Array, warmup: number): TorchSmallCnn | Skipped {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'visionlab-bench-'));
  try {
    const indexFile = path.join(dir, 'indices.i32');
    writeFileSync(indexFile, Buffer.from(indices.buffer, indices.byteOffset, indices.byteLength));
    return runTorchScript<TorchSmallCnn>('small_cnn_fashion.py', [
      path.join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'),
      path.join(FASHION_MNIST_DIR, 'train-labels-idx1-ubyte.gz'),
      indexFile,
      String(os.availableParallelism()),
      String(warmup),
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const smallCnnFashionSection: BenchSection = {
  name: 'smallCnnFashion',
  backend: 'native',
  description:
    'small CNN (conv32-pool-conv64-pool-dropout-dense64-dense10), Fashion-MNIST 28×28, one epoch of 42,000 images, batch 64, through fit',
  async run(options) {
    const { train, indices } = await fashionTrainingPart();
    const images = options.quick ? indices.subarray(0, 40 * BATCH) : indices;
    const warmupSteps = options.quick ? 3 : 10;
    const data = subset(train, images);

    options.log(`  data pipeline alone: ${data.numBatches()} batches`);
    const started = performance.now();
    for await (const batch of data.batches(0)) {
      batch.x.dispose();
      batch.y?.dispose();
    }
    const dataMsPerBatch = (performance.now() - started) / data.numBatches();

    options.log(`  PyTorch reference, ${images.length} images`);
    const torch = torchReference(images, warmupSteps);

    const peak = cpuPeak();
    /** Warm-up steps, then one timed epoch through `fit` with a fresh model. */
    const epoch = async (plannedStep: boolean) => {
      const model = buildSmallCnn({ inputShape: [28, 28, 1], classes: 10 });
      const optimizer = makeOptimizer('adam');
      const warmup = subset(train, images.subarray(0, warmupSteps * BATCH));
      await fit(model, warmup, { epochs: 1, optimizer, verbose: 0, plannedStep });
      const timer = new StepTimer();
      const cpu0 = process.cpuUsage();
      const started = performance.now();
      const result = await fit(model, data, {
        epochs: 1,
        optimizer,
        verbose: 0,
        callbacks: [timer],
        plannedStep,
      });
      const epochSeconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const trainFlops = 3 * summarizeModel(model).flops * images.length;
      model.dispose();
      optimizer.dispose();
      const gflops = trainFlops / 1e9 / epochSeconds;
      return {
        images: images.length,
        steps: timer.stepMs.length,
        epochSeconds,
        msPerStep: median(timer.stepMs),
        cpuSecondsPerEpoch: (cpu.user + cpu.system) / 1e6,
        cpuMsPerStep: (cpu.user + cpu.system) / 1e3 / timer.stepMs.length,
        dataMsPerBatch,
        trainGflopPerStep: trainFlops / 1e9 / timer.stepMs.length,
        trainGflops: gflops,
        peakShare: shareOfPeak(gflops, getPrecision(), peak),
        loss: result.history[0]?.loss,
        accuracy: result.history[0]?.accuracy,
        peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      };
    };
    options.log(
      `  native (planned step): warm-up ${warmupSteps} steps, then one epoch of ${images.length} images`,
    );
    const figures = await epoch(true);
    options.log('  native, eager step: the same epoch');
    const eager = await epoch(false);
    const support = detectPrecisionSupport();
    let bf16: Record<string, unknown> = { skipped: support.bf16Missing };
    if (support.precisions.includes('bf16')) {
      options.log('  native bf16 (planned step): the same epoch');
      const b = await withPrecision('bf16', () => epoch(true));
      bf16 = { ...b, overFp32: b.epochSeconds / figures.epochSeconds };
    }
    const out: Record<string, unknown> = {
      backend: nativeBackendDetails(),
      fp32Peak: peak,
      native: figures,
      eager: {
        epochSeconds: eager.epochSeconds,
        msPerStep: eager.msPerStep,
        cpuMsPerStep: eager.cpuMsPerStep,
        accuracy: eager.accuracy,
        plannedOverEager: figures.epochSeconds / eager.epochSeconds,
        plannedOverEagerCpu: figures.cpuSecondsPerEpoch / eager.cpuSecondsPerEpoch,
      },
      bf16,
      torch,
    };
    if ('epochSeconds' in torch) {
      out.nativeOverTorch = {
        epoch: figures.epochSeconds / torch.epochSeconds,
        step: figures.msPerStep / torch.msPerStep,
        cpuTime: figures.cpuSecondsPerEpoch / torch.cpuSecondsPerEpoch,
      };
    }
    return out;
  },
};
