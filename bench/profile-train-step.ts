// `node --import tsx bench/profile-train-step.ts [batch] [size] [alexnet_mini|davit_t] [fp32|bf16] [train|forward]`:
// which kernels a training step (or a forward pass) of the reduced AlexNet (or DaViT-T with the user's head) spends its time in on
// the active backend (VISIONLAB_BACKEND picks it), and how much of the step is garbage collection and
// JavaScript between kernels. Each kernel of the backend is wrapped in a timer: unlike `tf.profile`, this
// keeps no reference to any tensor and nests nothing (an op's kernels are counted once). Kernels are
// ranked by processor time (all threads), which other load on the machine disturbs less than wall time.
import { PerformanceObserver } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/backend.js';
import { setPrecision, parsePrecision } from '../src/engine/precision.js';
import { davitT } from '../src/models/davit/index.js';
import { alexnetMini } from './bench-models.js';

const batch = Number(process.argv[2] ?? 16);
const size = Number(process.argv[3] ?? 280);
const modelName = process.argv[4] ?? 'alexnet_mini';
const mode = process.argv[6] ?? 'train';
const backend = await initBackend();
setPrecision(parsePrecision(process.argv[5] ?? 'fp32'));
console.error(`backend ${backend.name}, ${modelName}, ${mode}, batch ${batch}, ${size}×${size}`);
const inputShape: [number, number, number] = [size, size, 3];
const model =
  modelName === 'davit_t'
    ? davitT({ inputShape, numClasses: 1, classifierActivation: 'sigmoid', dropout: 0.3 })
    : alexnetMini(inputShape);
model.compile({ optimizer: tf.train.adam(1e-4), loss: 'binaryCrossentropy' });
const x = tf.randomUniform([batch, size, size, 3]);
const y = tf.ones([batch, 1]);
const step = async (): Promise<void> => {
  if (mode === 'forward') tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
  else await model.trainOnBatch(x, y);
};
for (let i = 0; i < 2; i++) await step(); // the first steps create the optimizer state and fill the buffer pool

let recording = false;
const byKernel = new Map<string, { ms: number; cpuMs: number; calls: number }>();
for (const config of tf.getKernelsForBackend(backend.name)) {
  const inner = config.kernelFunc;
  tf.unregisterKernel(config.kernelName, backend.name);
  tf.registerKernel({
    ...config,
    kernelFunc: (args) => {
      if (!recording) return inner(args);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const out = inner(args);
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(c0);
      const shapes = Object.values(args.inputs).map((t) => (t ? `[${t.shape}]` : '[null]'));
      const key = `${config.kernelName} ${shapes.join('')}`;
      const entry = byKernel.get(key) ?? { ms: 0, cpuMs: 0, calls: 0 };
      entry.ms += ms;
      entry.cpuMs += (cpu.user + cpu.system) / 1000;
      entry.calls += 1;
      byKernel.set(key, entry);
      return out;
    },
  });
}
let gcMs = 0;
const gc = new PerformanceObserver((list) => {
  if (recording) for (const e of list.getEntries()) gcMs += e.duration;
});
gc.observe({ entryTypes: ['gc'] });
recording = true;
const c0 = process.cpuUsage();
const t0 = performance.now();
await step();
const wall = performance.now() - t0;
const cpu = process.cpuUsage(c0);
await new Promise((resolve) => setTimeout(resolve, 50)); // let the GC entries arrive
recording = false;
gc.disconnect();

const rows = [...byKernel.entries()].sort((a, b) => b[1].cpuMs - a[1].cpuMs);
const total = rows.reduce((s, [, e]) => s + e.ms, 0);
const totalCpu = rows.reduce((s, [, e]) => s + e.cpuMs, 0);
const byName = new Map<string, { ms: number; cpuMs: number }>();
for (const [key, e] of rows) {
  const name = key.split(' ')[0];
  const sum = byName.get(name) ?? { ms: 0, cpuMs: 0 };
  byName.set(name, { ms: sum.ms + e.ms, cpuMs: sum.cpuMs + e.cpuMs });
}
const cpuTotal = (cpu.user + cpu.system) / 1000;
console.log(
  `wall ${wall.toFixed(0)} ms, cpu user ${(cpu.user / 1000).toFixed(0)} sys ${(cpu.system / 1000).toFixed(0)} ms,` +
    ` kernels ${total.toFixed(0)} ms wall / ${totalCpu.toFixed(0)} ms cpu (GC inside or outside them ${gcMs.toFixed(0)} ms),` +
    ` outside kernels ${(wall - total).toFixed(0)} ms wall / ${(cpuTotal - totalCpu).toFixed(0)} ms cpu`,
);
console.log('by kernel (cpu ms, share of kernel cpu, wall ms):');
for (const [name, e] of [...byName.entries()].sort((a, b) => b[1].cpuMs - a[1].cpuMs).slice(0, 20))
  console.log(
    `${e.cpuMs.toFixed(1).padStart(9)} ms ${((100 * e.cpuMs) / totalCpu).toFixed(1).padStart(5)} % ${e.ms.toFixed(1).padStart(9)} ms  ${name}`,
  );
console.log('by kernel and shapes (cpu ms, wall ms):');
for (const [key, e] of rows.slice(0, Number(process.env.PROFILE_ROWS ?? 40)))
  console.log(
    `${e.cpuMs.toFixed(1).padStart(9)} ms ${e.ms.toFixed(1).padStart(9)} ms ${String(e.calls).padStart(4)}×  ${key}`,
  );
