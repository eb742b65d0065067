// `node --import tsx bench/model-step.ts MODEL PRECISION SIZE BATCH WARMUP REPS`: times one model
// (davit_t: DaViT-T with the user's head, avg pool → dropout 0.3 → Dense(1, sigmoid); alexnet_mini: the
// reduced AlexNet) on `native` in a process of its own, so that its peak RSS is the model's alone; prints
// one JSON line. `timeInChild` (model-timing.ts) runs it.
import { registerNativeBackend } from '../src/engine/native/index.js';
import { parsePrecision, setPrecision } from '../src/engine/precision.js';
import { davitT } from '../src/models/davit/index.js';
import { useBackend } from './backends.js';
import { alexnetMini } from './bench-models.js';
import { STEP_MODELS, timeModel, type StepModel } from './model-timing.js';

const [model, precisionArg = 'fp32', ...rest] = process.argv.slice(2);
const [size = 280, batch = 4, warmup = 1, reps = 3] = rest.map(Number);
if (!STEP_MODELS.includes(model as StepModel)) throw new Error(`model-step: unknown model ${model}`);
const native = await useBackend('native');
if (!native.ok) throw new Error(native.reason);
setPrecision(parsePrecision(precisionArg));
const inputShape: [number, number, number] = [size, size, 3];
const timing = await timeModel({
  build: () =>
    model === 'davit_t'
      ? davitT({ inputShape, numClasses: 1, classifierActivation: 'sigmoid', dropout: 0.3 })
      : alexnetMini(inputShape),
  inputShape,
  batch,
  warmup,
  reps,
});
const registration = await registerNativeBackend();
console.log(
  JSON.stringify({ ...timing, precision: precisionArg, ...(registration.ok ? registration.details : {}) }),
);
