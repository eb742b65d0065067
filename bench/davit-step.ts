// `node --import tsx bench/davit-step.ts PRECISION SIZE BATCH WARMUP REPS`: times DaViT-T with the
// user's head (avg pool → dropout 0.3 → Dense(1, sigmoid)) on `native` in a process of its own, so
// that its peak RSS is the model's alone; prints one JSON line (bench/davit.ts runs it).
import { registerNativeBackend } from '../src/engine/native/index.js';
import { parsePrecision, setPrecision } from '../src/engine/precision.js';
import { davitT } from '../src/models/davit/index.js';
import { useBackend } from './backends.js';
import { timeModel } from './model-timing.js';

const [precisionArg = 'fp32', size = 280, batch = 4, warmup = 1, reps = 3] = process.argv
  .slice(2)
  .map((a, i) => (i === 0 ? a : Number(a))) as [string, number, number, number, number];
const native = await useBackend('native');
if (!native.ok) throw new Error(native.reason);
setPrecision(parsePrecision(precisionArg));
const inputShape: [number, number, number] = [size, size, 3];
const timing = await timeModel({
  build: () => davitT({ inputShape, numClasses: 1, classifierActivation: 'sigmoid', dropout: 0.3 }),
  inputShape,
  batch,
  warmup,
  reps,
});
const registration = await registerNativeBackend();
console.log(
  JSON.stringify({ ...timing, precision: precisionArg, ...(registration.ok ? registration.details : {}) }),
);
