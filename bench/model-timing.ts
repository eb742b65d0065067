import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { summarizeModel } from '../src/models/summary.js';

export interface TimingPlan {
  build: () => tfl.LayersModel;
  /** [height, width, channels] */
  inputShape: [number, number, number];
  batch: number;
  warmup: number;
  reps: number;
}

export interface ModelTiming {
  inputShape: number[];
  batch: number;
  forwardMsPerImage: number;
  trainMsPerImage: number;
  /** Processor time (all threads) per image: less sensitive than wall time to other load on the machine. */
  forwardCpuMsPerImage: number;
  trainCpuMsPerImage: number;
  forwardGflopPerImage: number;
  forwardGflops: number;
  /** Training counts forward + backward as 3× the forward FLOPs. */
  trainGflops: number;
  peakRssMiB: number;
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Times inference and training steps (Adam, binary cross-entropy) of a freshly built model. */
export async function timeModel(plan: TimingPlan): Promise<ModelTiming> {
  const model = plan.build();
  model.compile({ optimizer: tf.train.adam(1e-4), loss: 'binaryCrossentropy' });
  const x = tf.randomUniform([plan.batch, ...plan.inputShape], 0, 1, 'float32', 1);
  const y = tf.tidy(() =>
    tf.cast(tf.greater(tf.randomUniform([plan.batch, 1], 0, 1, 'float32', 2), 0.5), 'float32'),
  );
  const forward = (): void => {
    tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
  };
  const forwardTimes: number[] = [];
  const forwardCpu: number[] = [];
  for (let i = 0; i < plan.warmup + plan.reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    forward();
    if (i >= plan.warmup) {
      forwardTimes.push(performance.now() - t0);
      forwardCpu.push(cpuMs(process.cpuUsage(c0)));
    }
  }
  const trainTimes: number[] = [];
  const trainCpu: number[] = [];
  for (let i = 0; i < plan.warmup + plan.reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await model.trainOnBatch(x, y);
    if (i >= plan.warmup) {
      trainTimes.push(performance.now() - t0);
      trainCpu.push(cpuMs(process.cpuUsage(c0)));
    }
  }
  const flops = summarizeModel(model).flops;
  x.dispose();
  y.dispose();
  model.dispose();
  const forwardMs = median(forwardTimes) / plan.batch;
  const trainMs = median(trainTimes) / plan.batch;
  return {
    inputShape: plan.inputShape,
    batch: plan.batch,
    forwardMsPerImage: forwardMs,
    trainMsPerImage: trainMs,
    forwardCpuMsPerImage: median(forwardCpu) / plan.batch,
    trainCpuMsPerImage: median(trainCpu) / plan.batch,
    forwardGflopPerImage: flops / 1e9,
    forwardGflops: flops / 1e6 / forwardMs,
    trainGflops: (3 * flops) / 1e6 / trainMs,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
