// Accuracy of bf16 mixed precision against fp32: the small CNN trained from the same seed on the 60,000
// Fashion-MNIST training images, then measured on the 10,000 test images, once in each precision.
import { loadFashionMnist } from '../src/data/from-idx.js';
import { detectPrecisionSupport, withPrecision, type Precision } from '../src/engine/precision.js';
import { buildSmallCnn } from '../src/models/small-cnn.js';
import { evaluateLosses } from '../src/train/evaluate-losses.js';
import { fit } from '../src/train/fit.js';
import { makeOptimizer } from '../src/train/optimizers.js';
import { setRandomSeed, unsetRandomSeed } from '../src/train/random.js';
import type { BenchSection } from './sections.js';

const SEED = 42;
const BATCH = 64;

async function trainAndTest(precision: Precision, epochs: number) {
  const { train, test } = await loadFashionMnist({ batchSize: BATCH, seed: SEED });
  setRandomSeed(SEED);
  try {
    return await withPrecision(precision, async () => {
      const model = buildSmallCnn({ inputShape: [28, 28, 1], classes: 10 });
      const optimizer = makeOptimizer('adam');
      const started = performance.now();
      const { history } = await fit(model, train, { epochs, optimizer, verbose: 0 });
      const seconds = (performance.now() - started) / 1000;
      const scores = await evaluateLosses(model, test);
      model.dispose();
      optimizer.dispose();
      return {
        trainImages: train.length,
        epochs,
        trainSeconds: seconds,
        trainAccuracy: history[history.length - 1]?.accuracy,
        testLoss: scores.loss,
        testAccuracy: scores.accuracy,
      };
    });
  } finally {
    unsetRandomSeed();
  }
}

export const fashionPrecisionSection: BenchSection = {
  name: 'fashionPrecision',
  backend: 'native',
  description:
    'small CNN on Fashion-MNIST (60,000 training images, 3 epochs, batch 64): test accuracy in fp32 and in bf16 mixed precision',
  async run(options) {
    const support = detectPrecisionSupport();
    if (!support.precisions.includes('bf16')) return { skipped: support.bf16Missing };
    const epochs = options.quick ? 1 : 3;
    options.log(`  fp32: ${epochs} epochs`);
    const fp32 = await trainAndTest('fp32', epochs);
    options.log(`  bf16: ${epochs} epochs`);
    const bf16 = await trainAndTest('bf16', epochs);
    return {
      fp32,
      bf16,
      testAccuracyPointsBf16MinusFp32: 100 * ((bf16.testAccuracy ?? 0) - (fp32.testAccuracy ?? 0)),
    };
  },
};
