import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Precision } from '../src/engine/precision.js';
import { summarizeModel } from '../src/models/summary.js';
import { makeOptimizer } from '../src/train/optimizers.js';
import { selectTrainStep, type TrainStep } from '../src/train/train-step.js';
import { lastJsonLine } from './child-output.js';

export interface TimingPlan {
  build: () => tfl.LayersModel;
  /** [height, width, channels] */
  inputShape: [number, number, number];
  batch: number;
  warmup: number;
  reps: number;
}

/** The eager step's figures beside the planned step's, from the same run. */
export interface EagerComparison {
  trainMsPerImage: number;
  trainCpuMsPerImage: number;
  /** Planned over eager wall time and processor time per image (below 1: the plan is faster). */
  plannedOverEager: number;
  plannedOverEagerCpu: number;
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
  /** Which step `fit` runs for this model (and `trainMsPerImage` measures), as `fit` logs it. */
  trainStep: string;
  /** Present when the planned step runs: the eager step timed after it. */
  eager?: EagerComparison;
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median wall and processor time per call of `step` after `warmup` calls. */
function timeSteps(step: () => void, warmup: number, reps: number): { ms: number; cpuMs: number } {
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < warmup + reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    step();
    if (i >= warmup) {
      times.push(performance.now() - t0);
      cpu.push(cpuMs(process.cpuUsage(c0)));
    }
  }
  return { ms: median(times), cpuMs: median(cpu) };
}

/**
 * Times inference and the training step `fit` runs (Adam 1e-4, binary cross-entropy) of a freshly built
 * model: the planned step where it applies, then the eager one for the ratio.
 */
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
  const fwd = timeSteps(forward, plan.warmup, plan.reps);
  const labels = tf.tidy(() => tf.cast(tf.reshape(y, [-1]), 'int32')) as tf.Tensor1D;
  const setup = {
    model,
    optimizer: makeOptimizer({ name: 'adam', learningRate: 1e-4 }),
    varList: model.trainableWeights.map((w) => w.read() as tf.Variable),
    losses: ['binaryCrossentropy' as const],
    lossWeights: [1],
  };
  const run = (step: TrainStep) => () => {
    const packed = step(x, labels, undefined);
    packed.dataSync();
    packed.dispose();
  };
  const selected = selectTrainStep(setup);
  const train = timeSteps(run(selected.step), plan.warmup, plan.reps);
  let eager: EagerComparison | undefined;
  if (selected.planned) {
    const e = timeSteps(run(selectTrainStep(setup, false).step), plan.warmup, plan.reps);
    eager = {
      trainMsPerImage: e.ms / plan.batch,
      trainCpuMsPerImage: e.cpuMs / plan.batch,
      plannedOverEager: train.ms / e.ms,
      plannedOverEagerCpu: train.cpuMs / e.cpuMs,
    };
  }
  setup.optimizer.dispose();
  labels.dispose();
  const flops = summarizeModel(model).flops;
  x.dispose();
  y.dispose();
  model.dispose();
  const forwardMs = fwd.ms / plan.batch;
  const trainMs = train.ms / plan.batch;
  return {
    inputShape: plan.inputShape,
    batch: plan.batch,
    forwardMsPerImage: forwardMs,
    trainMsPerImage: trainMs,
    forwardCpuMsPerImage: fwd.cpuMs / plan.batch,
    trainCpuMsPerImage: train.cpuMs / plan.batch,
    forwardGflopPerImage: flops / 1e9,
    forwardGflops: flops / 1e6 / forwardMs,
    trainGflops: (3 * flops) / 1e6 / trainMs,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    trainStep: selected.summary,
    eager,
  };
}

/** The models bench/model-step.ts times in a process of its own. */
export const STEP_MODELS = ['davit_t', 'alexnet_mini'] as const;
export type StepModel = (typeof STEP_MODELS)[number];

const STEP_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'model-step.ts');

/** One model and precision on `native`, timed in a child process so that its peak RSS is its own. */
export function timeInChild(
  model: StepModel,
  precision: Precision,
  size: number,
  batch: number,
  warmup: number,
  reps: number,
): (ModelTiming & { precision: string }) | { error: string } {
  const args = ['--import', 'tsx', STEP_SCRIPT, model, precision, size, batch, warmup, reps].map(String);
  const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (run.status !== 0) return { error: (run.stderr ?? '').trim().split('\n').slice(-3).join(' ') };
  return lastJsonLine<ModelTiming & { precision: string }>(run.stdout);
}
