import { alexnetMini } from './bench-models.js';
import { compareBackends } from './compare-backends.js';
import { useBackend } from './backends.js';
import { timeInChild, timeModel, type ModelTiming } from './model-timing.js';
import type { BenchSection } from './sections.js';
import { sized } from './sizes.js';
import { detectPrecisionSupport } from '../src/engine/precision.js';
import { torchAlexnetMini } from './torch-reference.js';
import { cpuPeak, sharesOfPeak } from './cpu-peak.js';

export const alexnetMiniSection: BenchSection = {
  name: 'alexnetMini',
  description:
    'reduced AlexNet, 280×280×3, batch 16: forward and the training step fit runs (planned, with eager beside it; Adam, binary cross-entropy), fp32 and bf16',
  async run(options) {
    const { batch, reps } = sized(options, { batch: [4, 16], reps: [2, 5] });
    // libtorch first, right before native at the same size, so that both see the same machine.
    options.log(`  libtorch 280×280×3 batch ${batch}`);
    const torch = torchAlexnetMini(batch, 280, reps, options.log);
    const result = await compareBackends(
      {
        build: alexnetMini,
        native: { inputShape: [280, 280, 3], batch, warmup: 1, reps },
        cpu: { inputShape: [64, 64, 3], batch: 1 },
      },
      options,
    );
    result.torch = torch;
    const support = detectPrecisionSupport();
    result.bf16 = { skipped: support.bf16Missing };
    if (support.precisions.includes('bf16') && (await useBackend('native')).ok) {
      // In a process of its own: this one's peak RSS already holds the fp32 and cpu runs.
      options.log(`  native bf16 280×280×3 batch ${batch}`);
      const bf16 = timeInChild('alexnet_mini', 'bf16', 280, batch, 1, reps);
      const fp32 = result.native as Partial<ModelTiming>;
      result.bf16 =
        'error' in bf16
          ? bf16
          : {
              ...bf16,
              shareOfPeak: sharesOfPeak(bf16, 'bf16'),
              overFp32: fp32.trainMsPerImage ? bf16.trainMsPerImage / fp32.trainMsPerImage : undefined,
            };
    }
    // The fallback when oneDNN is missing: wasm with visionlab's gradient kernels.
    options.log('  wasm 280×280×3 batch 2');
    if ((await useBackend('wasm')).ok) {
      result.wasm = await timeModel({
        build: () => alexnetMini([280, 280, 3]),
        inputShape: [280, 280, 3],
        batch: 2,
        warmup: 1,
        reps: 1,
      });
    }
    const native = result.native as Partial<ModelTiming>;
    if (native.trainGflops)
      result.native = { ...native, shareOfPeak: sharesOfPeak(native as ModelTiming, 'fp32') };
    result.cpuPeak = cpuPeak();
    if ('trainMsPerImage' in torch && native.trainMsPerImage && native.forwardMsPerImage) {
      const train = native.trainMsPerImage / torch.trainMsPerImage;
      const flops = (native.forwardGflopPerImage ?? 0) * 1e9;
      result.torch = {
        ...torch,
        forwardGflops: flops / 1e6 / torch.forwardMsPerImage,
        trainGflops: (3 * flops) / 1e6 / torch.trainMsPerImage,
      };
      result.nativeOverTorch = {
        forward: native.forwardMsPerImage / torch.forwardMsPerImage,
        train,
        target: 1.2,
        met: train <= 1.2,
        trainCpuTime: native.trainCpuMsPerImage
          ? native.trainCpuMsPerImage / torch.trainCpuMsPerImage
          : undefined,
      };
    }
    return result;
  },
};
