// `node --import tsx bench/profile-epoch.ts [batches] [verbose 0|1|2] [plan on|off]`: where one `fit` epoch
// of the small CNN on Fashion-MNIST (the smallCnnFashion bench's data and model) spends each batch. The
// parts are timed from outside, in wall and CPU milliseconds per batch (mean): waiting for the data
// pipeline's next batch, the planned forward and backward calls, the optimizer update, reading the step's
// figures back, and the rest of the step (the loss and its gradient, labels, packing, disposal); the fit
// loop's own work (callbacks, totals, progress) is what is left of the batch. CPU/wall near 2 means both
// cores were busy.
import { PerformanceObserver } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import type { ImageDataset } from '../src/data/types.js';
import { TrainingPlan } from '../src/engine/plan/index.js';
import { buildSmallCnn } from '../src/models/small-cnn.js';
import { Callback } from '../src/train/callbacks/callback.js';
import { fit } from '../src/train/fit.js';
import { makeOptimizer } from '../src/train/optimizers.js';
import { useBackend } from './backends.js';
import { BATCH, fashionTrainingPart, subset } from './small-cnn-fashion.bench.js';

const batches = Number(process.argv[2] ?? 300);
const verbose = Number(process.argv[3] ?? 0) as 0 | 1 | 2;
const plannedStep = (process.argv[4] ?? 'on') !== 'off';
const backend = await useBackend('native');
if (!backend.ok) throw new Error(`native backend: ${backend.reason}`);

interface Part {
  wall: number;
  cpu: number;
}
const parts = new Map<string, Part>();
let recording = false;
function add(part: string, wall: number, cpu: NodeJS.CpuUsage): void {
  if (!recording) return;
  const p = parts.get(part) ?? { wall: 0, cpu: 0 };
  p.wall += wall;
  p.cpu += (cpu.user + cpu.system) / 1000;
  parts.set(part, p);
}
function wrap<T extends object, K extends keyof T>(target: T, key: K, part: string): void {
  const inner = target[key] as unknown as (...args: unknown[]) => unknown;
  (target as Record<K, unknown>)[key] = function (this: unknown, ...args: unknown[]) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const out = inner.apply(this, args);
    if (out instanceof Promise) {
      return out.finally(() => add(part, performance.now() - t0, process.cpuUsage(c0)));
    }
    add(part, performance.now() - t0, process.cpuUsage(c0));
    return out;
  };
}
wrap(TrainingPlan.prototype, 'forward', 'plan forward');
wrap(TrainingPlan.prototype, 'backward', 'plan backward');
for (const proto of [tf.AdamOptimizer.prototype, tf.SGDOptimizer.prototype]) {
  wrap(proto as unknown as { applyGradients(): void }, 'applyGradients', 'optimizer');
}
wrap(tf.Tensor.prototype, 'data', 'read the step figures');

/** The dataset with the wait for each next batch timed (the pipeline runs ahead while the step computes). */
function timedBatches(data: ImageDataset): ImageDataset {
  const batchesOf = data.batches.bind(data);
  return Object.assign(Object.create(data) as ImageDataset, {
    async *batches(epoch?: number) {
      const it = batchesOf(epoch);
      for (;;) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const next = await it.next();
        add('wait for the next batch', performance.now() - t0, process.cpuUsage(c0));
        if (next.done) return;
        yield next.value;
      }
    },
  });
}

/** Times each batch from its onBatchBegin to the next one's, and the part between begin and end. */
class BatchTimer extends Callback {
  readonly name = 'BatchTimer';
  count = 0;
  wall = 0;
  cpu = 0;
  private t0 = 0;
  private c0 = process.cpuUsage();
  private began = 0;
  private cBegan = process.cpuUsage();
  override async onBatchBegin(): Promise<void> {
    const now = performance.now();
    if (recording && this.t0 > 0) {
      this.wall += now - this.t0;
      const c = process.cpuUsage(this.c0);
      this.cpu += (c.user + c.system) / 1000;
      this.count++;
    }
    this.t0 = now;
    this.c0 = process.cpuUsage();
    this.began = now;
    this.cBegan = process.cpuUsage();
  }
  override async onBatchEnd(): Promise<void> {
    add('step (begin → end of batch)', performance.now() - this.began, process.cpuUsage(this.cBegan));
  }
}

let gcMs = 0;
const gc = new PerformanceObserver((list) => {
  if (recording) for (const e of list.getEntries()) gcMs += e.duration;
});
gc.observe({ entryTypes: ['gc'] });

const { train, indices } = await fashionTrainingPart();
const model = buildSmallCnn({ inputShape: [28, 28, 1], classes: 10 });
const optimizer = makeOptimizer('adam');
await fit(model, subset(train, indices.subarray(0, 10 * BATCH)), {
  epochs: 1,
  optimizer,
  verbose: 0,
  plannedStep,
});
const timer = new BatchTimer();
const data = timedBatches(subset(train, indices.subarray(0, batches * BATCH)));
const tensorsBefore = tf.memory().numTensors;
recording = true;
const c0 = process.cpuUsage();
const t0 = performance.now();
await fit(model, data, { epochs: 1, optimizer, verbose, callbacks: [timer], plannedStep });
const wall = performance.now() - t0;
const cpu = process.cpuUsage(c0);
recording = false;
await new Promise((resolve) => setTimeout(resolve, 50));
gc.disconnect();

const n = timer.count;
const row = (wallMs: number, cpuMs: number) => ({
  wallMs: +(wallMs / n).toFixed(3),
  cpuMs: +(cpuMs / n).toFixed(3),
  cpuOverWall: +(cpuMs / wallMs).toFixed(2),
  share: `${((100 * wallMs) / timer.wall).toFixed(1)} %`,
});
const step = parts.get('step (begin → end of batch)') ?? { wall: 0, cpu: 0 };
const inStep = ['plan forward', 'plan backward', 'optimizer', 'read the step figures'];
const rest = inStep.reduce(
  (r, k) => ({ wall: r.wall - (parts.get(k)?.wall ?? 0), cpu: r.cpu - (parts.get(k)?.cpu ?? 0) }),
  step,
);
const wait = parts.get('wait for the next batch') ?? { wall: 0, cpu: 0 };
const table: Record<string, ReturnType<typeof row>> = {};
for (const k of inStep) table[k] = row(parts.get(k)?.wall ?? 0, parts.get(k)?.cpu ?? 0);
table['loss, labels, packing, disposal'] = row(rest.wall, rest.cpu);
table['wait for the next batch'] = row(wait.wall, wait.cpu);
table['fit loop, callbacks'] = row(timer.wall - step.wall - wait.wall, timer.cpu - step.cpu - wait.cpu);
table['whole batch'] = row(timer.wall, timer.cpu);
console.log(
  `small CNN, ${batches} batches of ${BATCH}, ${plannedStep ? 'planned' : 'eager'} step, verbose ${verbose}: ` +
    `epoch ${(wall / 1000).toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU, ` +
    `GC ${(gcMs / n).toFixed(2)} ms/batch, load ${(await import('node:os')).loadavg()[0].toFixed(1)}, ` +
    `tensors ${tf.memory().numTensors - tensorsBefore} more than before`,
);
console.table(table);
