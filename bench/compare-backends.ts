import type * as tfl from '@tensorflow/tfjs-layers';
import { nativeBackendDetails, useBackend } from './backends.js';
import { timeModel, type ModelTiming } from './model-timing.js';
import type { BenchOptions } from './sections.js';

export interface BackendComparisonPlan {
  build: (inputShape: [number, number, number]) => tfl.LayersModel;
  native: { inputShape: [number, number, number]; batch: number; warmup: number; reps: number };
  /** A size the pure-JS `cpu` backend can finish; `native` is timed at it as well for the ratio. */
  cpu: { inputShape: [number, number, number]; batch: number };
}

/** Times a model on `native` at full size, then on `cpu` and `native` at a size `cpu` can finish. */
export async function compareBackends(
  plan: BackendComparisonPlan,
  options: BenchOptions,
): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = {};
  const native = await useBackend('native');
  let nativeSmall: ModelTiming | undefined;
  if (native.ok) {
    result.backend = nativeBackendDetails();
    options.log(`  native ${plan.native.inputShape.join('×')} batch ${plan.native.batch}`);
    result.native = await timeModel({ ...plan.native, build: () => plan.build(plan.native.inputShape) });
    nativeSmall = await timeModel({
      ...plan.cpu,
      warmup: 1,
      reps: 3,
      build: () => plan.build(plan.cpu.inputShape),
    });
  } else {
    result.native = { skipped: native.reason };
  }
  await useBackend('cpu');
  options.log(`  cpu ${plan.cpu.inputShape.join('×')} batch ${plan.cpu.batch}`);
  const cpu = await timeModel({
    ...plan.cpu,
    warmup: 0,
    reps: 1,
    build: () => plan.build(plan.cpu.inputShape),
  });
  result.cpu = cpu;
  if (nativeSmall) {
    result.nativeAtCpuSize = nativeSmall;
    result.speedupOverCpu = {
      forward: cpu.forwardMsPerImage / nativeSmall.forwardMsPerImage,
      train: cpu.trainMsPerImage / nativeSmall.trainMsPerImage,
    };
  }
  return result;
}
