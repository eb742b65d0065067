import * as tf from '@tensorflow/tfjs-core';
import { davitT } from '../src/models/davit/index.js';
import { nativeBackendDetails, useBackend } from './backends.js';
import { timeModel } from './model-timing.js';
import type { BenchSection } from './sections.js';

/** Kernel time shares of one forward pass: where DaViT spends its time on this backend. */
async function topKernels(inputShape: [number, number, number]): Promise<Record<string, number>> {
  const model = davitT({ inputShape, numClasses: 1, classifierActivation: 'sigmoid' });
  const x = tf.randomUniform([1, ...inputShape]);
  const info = await tf.profile(() => model.predict(x) as tf.Tensor);
  const byKernel = new Map<string, number>();
  for (const k of info.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + Number(k.kernelTimeMs));
  x.dispose();
  model.dispose();
  const total = [...byKernel.values()].reduce((a, b) => a + b, 0);
  return Object.fromEntries(
    [...byKernel.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([name, ms]) => [name, Math.round((1000 * ms) / total) / 10]),
  );
}

/** DaViT-T with the user's head (avg pool → dropout 0.3 → Dense(1, sigmoid)) at 224 and 280 on `native`. */
export const davitSection: BenchSection = {
  name: 'davitT',
  description: 'DaViT-T forward and training step (Adam, binary cross-entropy) ms/image at 224 and 280',
  async run(options) {
    const native = await useBackend('native');
    if (!native.ok) return { skipped: native.reason };
    const result: Record<string, unknown> = { backend: nativeBackendDetails() };
    const batch = options.quick ? 1 : 4;
    for (const size of [224, 280]) {
      options.log(`  davit_t ${size}×${size} batch ${batch}`);
      const inputShape: [number, number, number] = [size, size, 3];
      result[`input${size}`] = await timeModel({
        build: () => davitT({ inputShape, numClasses: 1, classifierActivation: 'sigmoid', dropout: 0.3 }),
        inputShape,
        batch,
        warmup: options.quick ? 0 : 1,
        reps: options.quick ? 1 : 3,
      });
    }
    options.log('  kernel time shares at 224 (%)');
    result.forwardKernelSharePercent224 = await topKernels([224, 224, 3]);
    return result;
  },
};
