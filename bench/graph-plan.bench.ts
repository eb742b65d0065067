// `npm run bench -- --only graphPlan`: the planned step against the eager step on the zoo models the plan
// takes as graphs (ResNet-50, GoogLeNet), one model, the same batches, the two steps alternating, with
// wall and CPU milliseconds per image.
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { getModel } from '../src/models/registry.js';
import { makeOptimizer } from '../src/train/index.js';
import { eagerTrainStep, selectTrainStep, type TrainStep } from '../src/train/train-step.js';
import { median } from './model-timing.js';
import type { BenchSection } from './sections.js';

interface Case {
  name: string;
  size: number;
  batch: number;
  auxiliaryOutputs?: boolean;
}

function timeStep(step: TrainStep, x: tf.Tensor, labels: tf.Tensor1D): { wall: number; cpu: number } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const out = step(x, labels, undefined);
  out.dataSync();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  out.dispose();
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

async function compare(c: Case, reps: number) {
  const model = getModel(c.name).build({
    inputShape: [c.size, c.size, 3],
    classes: 2,
    auxiliaryOutputs: c.auxiliaryOutputs,
  });
  const varList = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const outputs = model.outputs.length;
  const setup = {
    model,
    optimizer: makeOptimizer({ name: 'sgd', learningRate: 1e-4 }),
    varList,
    losses: new Array(outputs).fill('sparseCategoricalCrossentropy'),
    lossWeights: new Array(outputs).fill(1),
  };
  const selected = selectTrainStep(setup);
  if (!selected.planned) throw new Error(`${c.name}: ${selected.summary}`);
  const eager = eagerTrainStep(setup);
  const x = tf.randomUniform([c.batch, c.size, c.size, 3]);
  const labels = tf.tensor1d(
    Array.from({ length: c.batch }, (_, i) => i % 2),
    'int32',
  );
  const times = {
    eager: [] as number[],
    planned: [] as number[],
    eagerCpu: [] as number[],
    plannedCpu: [] as number[],
  };
  for (let i = 0; i <= reps; i++) {
    const e = timeStep(eager, x, labels);
    const p = timeStep(selected.step, x, labels);
    if (i === 0) continue; // the first of each builds primitives and plans
    times.eager.push(e.wall / c.batch);
    times.planned.push(p.wall / c.batch);
    times.eagerCpu.push(e.cpu / c.batch);
    times.plannedCpu.push(p.cpu / c.batch);
  }
  tf.dispose([x, labels]);
  model.dispose();
  const eagerMs = median(times.eager);
  const plannedMs = median(times.planned);
  return {
    input: `${c.size}x${c.size}x3`,
    batch: c.batch,
    eagerTrainMsPerImage: eagerMs,
    plannedTrainMsPerImage: plannedMs,
    plannedOverEager: plannedMs / eagerMs,
    eagerCpuMsPerImage: median(times.eagerCpu),
    plannedCpuMsPerImage: median(times.plannedCpu),
    plannedOverEagerCpu: median(times.plannedCpu) / median(times.eagerCpu),
  };
}

export const graphPlanSection: BenchSection = {
  name: 'graphPlan',
  description:
    'planned vs eager training step, alternating, batch 8: ResNet-50 96², GoogLeNet with its auxiliary classifiers 112², DenseNet-121 64², Inception v3 75²',
  backend: 'native',
  async run(options) {
    const reps = options.quick ? 2 : 4;
    const cases: Case[] = [
      { name: 'resnet50', size: options.quick ? 64 : 96, batch: 8 },
      { name: 'googlenet', size: options.quick ? 80 : 112, batch: 8, auxiliaryOutputs: true },
      { name: 'densenet121', size: 64, batch: 8 },
      { name: 'inception_v3', size: 75, batch: 8 },
    ];
    const result: Record<string, unknown> = { loadAverage: os.loadavg()[0], cpu: os.cpus()[0]?.model };
    for (const c of cases) {
      options.log(`graphPlan: ${c.name} ${c.size}² batch ${c.batch}`);
      result[c.auxiliaryOutputs ? `${c.name}Auxiliary` : c.name] = await compare(c, reps);
    }
    return result;
  },
};
