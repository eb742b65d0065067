// `node --import tsx bench/profile-train-step.ts [batch] [size] [alexnet_mini|davit_t] [fp32|bf16]`: which
// kernels a training step of the reduced AlexNet (or DaViT-T with the user's head) spends its time in on
// the active backend (VISIONLAB_BACKEND picks it).
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/backend.js';
import { setPrecision, parsePrecision } from '../src/engine/precision.js';
import { davitT } from '../src/models/davit/index.js';
import { alexnetMini } from './bench-models.js';

const batch = Number(process.argv[2] ?? 16);
const size = Number(process.argv[3] ?? 280);
const modelName = process.argv[4] ?? 'alexnet_mini';
const backend = await initBackend();
setPrecision(parsePrecision(process.argv[5] ?? 'fp32'));
console.error(`backend ${backend.name}, ${modelName}, batch ${batch}, ${size}×${size}`);
const inputShape: [number, number, number] = [size, size, 3];
const model =
  modelName === 'davit_t'
    ? davitT({ inputShape, numClasses: 1, classifierActivation: 'sigmoid', dropout: 0.3 })
    : alexnetMini(inputShape);
model.compile({ optimizer: tf.train.adam(1e-4), loss: 'binaryCrossentropy' });
const x = tf.randomUniform([batch, size, size, 3]);
const y = tf.ones([batch, 1]);
await model.trainOnBatch(x, y);
const t0 = performance.now();
const profile = await tf.profile(async () => {
  await model.trainOnBatch(x, y);
});
const wall = performance.now() - t0;
const byKernel = new Map<string, { ms: number; calls: number }>();
for (const k of profile.kernels) {
  const ms = (await k.kernelTimeMs) as number;
  const key = `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join('')}`;
  const entry = byKernel.get(key) ?? { ms: 0, calls: 0 };
  entry.ms += ms;
  entry.calls += 1;
  byKernel.set(key, entry);
}
const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
const total = rows.reduce((s, [, e]) => s + e.ms, 0);
console.log(`wall ${wall.toFixed(0)} ms (profiled), kernels ${total.toFixed(0)} ms`);
for (const [key, e] of rows.slice(0, 40))
  console.log(`${e.ms.toFixed(1).padStart(9)} ms ${String(e.calls).padStart(4)}×  ${key}`);
