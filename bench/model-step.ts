// `node --import tsx bench/model-step.ts MODEL PRECISION SIZE BATCH WARMUP REPS`: times one model
// (davit_t: DaViT-T with the user's head, avg pool → dropout 0.3 → Dense(1, sigmoid); alexnet_mini: the
// reduced AlexNet) on `native` in a process of its own, so that its peak RSS is the model's alone; prints
// one JSON line. `timeInChild` runs it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerNativeBackend } from '../src/engine/native/index.js';
import { parsePrecision, setPrecision, type Precision } from '../src/engine/precision.js';
import { davitT } from '../src/models/davit/index.js';
import { useBackend } from './backends.js';
import { alexnetMini } from './bench-models.js';
import { timeModel, type ModelTiming } from './model-timing.js';

export const STEP_MODELS = ['davit_t', 'alexnet_mini'] as const;
export type StepModel = (typeof STEP_MODELS)[number];

const here = path.dirname(fileURLToPath(import.meta.url));

/** One model and precision on `native`, timed in a child process so that its peak RSS is its own. */
export function timeInChild(
  model: StepModel,
  precision: Precision,
  size: number,
  batch: number,
  warmup: number,
  reps: number,
): (ModelTiming & { precision: string }) | { error: string } {
  const args = [
    '--import',
    'tsx',
    path.join(here, 'model-step.ts'),
    model,
    precision,
    size,
    batch,
    warmup,
    reps,
  ];
  const run = spawnSync(process.execPath, args.map(String), { encoding: 'utf8' });
  if (run.status !== 0) return { error: (run.stderr ?? '').trim().split('\n').slice(-3).join(' ') };
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as ModelTiming & { precision: string };
}

async function main(argv: string[]): Promise<void> {
  const [model, precisionArg = 'fp32'] = argv;
  const [size = 280, batch = 4, warmup = 1, reps = 3] = argv.slice(2).map(Number);
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
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
