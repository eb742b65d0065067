import os from 'node:os';
import { detectPrecisionSupport } from '../src/engine/precision.js';
import { cpuPeak, sharesOfPeak } from './cpu-peak.js';
import { timeInChild, type ModelTiming } from './model-timing.js';
import type { BenchSection } from './sections.js';
import { runTorchScript, type Skipped } from './torch-python.js';

interface TorchTiming {
  forwardMsPerImage: number;
  trainMsPerImage: number;
  trainCpuMsPerImage: number;
  peakRssMiB: number;
}

/** The run with the shortest training time, or the first that failed (skipped or an error). */
function fastest<R extends object>(runs: R[]): R {
  const failed = runs.find((r) => !('trainMsPerImage' in r));
  if (failed) return failed;
  const time = (r: R) => (r as { trainMsPerImage: number }).trainMsPerImage;
  return runs.reduce((best, r) => (time(r) < time(best) ? r : best));
}

function ratios(ours: ModelTiming | { error: string }, torch: TorchTiming | Skipped) {
  if ('error' in ours || 'skipped' in torch) return undefined;
  return {
    forward: ours.forwardMsPerImage / torch.forwardMsPerImage,
    train: ours.trainMsPerImage / torch.trainMsPerImage,
    trainCpuTime: ours.trainCpuMsPerImage / torch.trainCpuMsPerImage,
    peakRss: ours.peakRssMiB / torch.peakRssMiB,
  };
}

/**
 * DaViT-T at 280×280 with the user's head, batch 4: forward and training step (Adam, binary
 * cross-entropy) on `native` in fp32 and, where the CPU runs it, bf16; PyTorch (python3-torch) in the
 * same run with the same precision, and our/PyTorch ratios.
 */
export const davitSection: BenchSection = {
  name: 'davitT',
  description:
    'DaViT-T 280×280 + GAP/dropout/Dense(1) head, batch 4: forward and train ms/image, fp32 and bf16, vs PyTorch',
  async run(options) {
    const size = options.quick ? 224 : 280;
    const batch = options.quick ? 1 : 4;
    const warmup = 1;
    const reps = options.quick ? 1 : 3;
    const rounds = options.quick ? 1 : 2;
    const peak = cpuPeak();
    const support = detectPrecisionSupport();
    const result: Record<string, unknown> = {
      cpuPeak: peak,
      isa: support.isa,
      precisions: support.precisions,
      rounds,
    };
    const key = `input${size}`;
    for (const precision of ['fp32', 'bf16'] as const) {
      if (!support.precisions.includes(precision)) {
        result[precision === 'fp32' ? 'native' : 'bf16'] = { skipped: support.bf16Missing };
        continue;
      }
      // PyTorch and ours alternate, each round PyTorch right before ours, and each side keeps its faster
      // round: this machine's speed drifts by 10-20 % between minutes, which one round would read as a ratio.
      const torchRuns: (TorchTiming | Skipped)[] = [];
      const ourRuns: (ModelTiming | { error: string })[] = [];
      for (let round = 1; round <= rounds; round++) {
        options.log(`  PyTorch ${precision} ${size}×${size} batch ${batch}, round ${round} of ${rounds}`);
        const t = runTorchScript<TorchTiming>('davit_t.py', [
          ...[size, batch, warmup, reps, os.availableParallelism()].map(String),
          precision,
        ]);
        options.log(`  native ${precision} ${size}×${size} batch ${batch}, round ${round} of ${rounds}`);
        const o = timeInChild('davit_t', precision, size, batch, warmup, reps);
        torchRuns.push(t);
        ourRuns.push(o);
        if ('skipped' in t || 'error' in o) break;
      }
      const torch = fastest(torchRuns);
      const ours = fastest(ourRuns);
      const share = 'error' in ours ? undefined : sharesOfPeak(ours, precision, peak);
      result[precision === 'fp32' ? 'native' : 'bf16'] = {
        [key]: { ...ours, shareOfPeak: share },
        torch,
        oursOverTorch: ratios(ours, torch),
      };
    }
    return result;
  },
};
