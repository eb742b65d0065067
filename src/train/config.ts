import { promises as fs } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { VisionlabError } from '../errors.js';
import { optionKey } from './option-key.js';
import { OPTIMIZER_NAMES } from './optimizers.js';
import { PRECISIONS } from '../engine/precision.js';
import type { earlyStoppingSchema } from './callbacks/early-stopping.js';
import type { lrScheduleSchema } from './callbacks/learning-rate-scheduler.js';
import type { reduceLrSchema } from './callbacks/reduce-lr-on-plateau.js';
import { callbackConfigShape } from './callbacks/registry.js';

const int = (min = 0) => z.number().int().min(min);

export const headSchema = z
  .object({
    dropout: z.number().min(0).lt(1).default(0.3),
    units: int(1).optional(),
    activation: z.enum(['sigmoid', 'softmax']).optional(),
  })
  .strict();

/** Everything `visionlab train` can be told, from a config file and flags (flags win). */
export const trainConfigSchema = z
  .object({
    model: z.string().min(1).default('small_cnn'),
    data: z.string().min(1).optional(),
    epochs: int(1).default(15),
    seed: int().default(42),
    batchSize: int(1).default(32),
    imageSize: z.tuple([int(1), int(1)]).optional(),
    inputShape: z
      .tuple([
        int(1),
        int(1),
        int(1).refine((c) => [1, 3, 4].includes(c), 'channels must be 1 (grayscale), 3 (rgb) or 4 (rgba)'),
      ])
      .optional(),
    colorMode: z.enum(['rgb', 'grayscale', 'rgba']).optional(),
    validationSplit: z.number().min(0).lt(1).default(0.2),
    testSplit: z.number().min(0).lt(1).default(0.1),
    optimizer: z.enum(OPTIMIZER_NAMES).default('adam'),
    /** A rate, or `auto`: the learning-rate finder's suggestion (`lrFind`), found before training. */
    learningRate: z.union([z.number().gt(0), z.literal('auto')]).optional(),
    momentum: z.number().min(0).lt(1).optional(),
    runsDir: z.string().min(1).default('runs'),
    name: z.string().min(1).optional(),
    ...callbackConfigShape,
    freezeUntil: int().optional(),
    freezeNames: z.string().min(1).optional(),
    /** Freeze the stem and the first N stages / blocks (read from the layer names; the same weights at every input size). */
    freezeStages: int().optional(),
    freezeBlocks: int().optional(),
    /** Freeze every layer of these classes, e.g. ['BatchNormalization']. */
    freezeKinds: z.array(z.string().min(1)).min(1).optional(),
    /** A saved model folder (a run's `model/`) whose weights, in layer order, replace the built model's before training. */
    initialWeights: z.string().min(1).optional(),
    /** Discriminative learning rates: the head at the learning rate, each stage (block) below at the one above ÷ factor. */
    discriminativeLr: z
      .object({ unit: z.enum(['stages', 'blocks']), factor: z.number().min(1) })
      .strict()
      .optional(),
    /** Run a frozen, deterministic prefix once per image and train only the rest (not with augmentation). */
    frozenPrefixCache: z.boolean().default(false),
    /** A folder where those prefix outputs are also kept on disk, for later runs and other processes (bounded, least recently used first out). */
    frozenPrefixCacheDir: z.string().min(1).optional(),
    classWeight: z.union([z.literal('balanced'), z.record(z.string(), z.number().min(0))]).optional(),
    pretrained: z.string().min(1).optional(),
    head: headSchema.optional(),
    augment: z.array(z.string().min(1)).optional(),
    cacheDir: z.string().min(1).optional(),
    checkpoint: z.boolean().default(true),
    /** Evaluate on the test split and write the report when training ends (`--no-evaluate`: false). */
    evaluate: z.boolean().default(true),
    /** Compute precision of matrix products and convolutions (bf16: mixed, as Keras' mixed_bfloat16). */
    precision: z.enum(PRECISIONS).default('fp32'),
    verbose: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal('auto')]).default('auto'),
  })
  .strict();

export type TrainConfigInput = z.input<typeof trainConfigSchema>;
export type TrainConfig = z.output<typeof trainConfigSchema>;
export type EarlyStoppingConfig = z.output<typeof earlyStoppingSchema>;
export type ReduceLrConfig = z.output<typeof reduceLrSchema>;
export type LrScheduleConfig = z.output<typeof lrScheduleSchema>;

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text && text.length > 60 ? text.slice(0, 57) + '...' : String(text);
}

function valueAt(input: unknown, keyPath: PropertyKey[]): unknown {
  let v: unknown = input;
  for (const k of keyPath) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** Validates a training config; errors name the key and the value, e.g. `earlyStopping.patience = "seven": expected a number`. */
/** Keys that hold option objects, whose keys Keras users may spell `restore_best_weights` or `min-delta`. */
const OPTION_OBJECTS: string[] = [...Object.keys(callbackConfigShape), 'head'];

/** A key in Keras' snake_case or kebab-case as ours; keys in camelCase are taken as written. */
function normalizeKey(raw: string): string {
  return /[_-]/.test(raw) ? optionKey(raw) : raw;
}

/** Config keys in Keras' snake_case (`batch_size`, `early_stopping.restore_best_weights`) as ours; class names kept. */
function normalizeKeys(input: unknown): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  const out: Record<string, unknown> = {};
  for (const [raw, value] of Object.entries(input)) {
    const key = normalizeKey(raw);
    out[key] =
      OPTION_OBJECTS.includes(key) && value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [normalizeKey(k), v]))
        : value;
  }
  return out;
}

export function parseTrainConfig(input: unknown, source = 'the training config'): TrainConfig {
  input = normalizeKeys(input);
  const result = trainConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const where = issue.path.length ? `${issue.path.join('.')}.` : '';
      return `unknown key ${issue.keys.map((k) => `"${where}${k}"`).join(', ')}`;
    }
    const key = issue.path.join('.') || '(root)';
    return `${key} = ${describeValue(valueAt(input, issue.path))}: ${issue.message}`;
  });
  throw new VisionlabError(
    `invalid value in ${source}: ${lines.join('; ')}`,
    'See `visionlab train --help` for the keys and their allowed values.',
  );
}

/** Reads a JSON or YAML config file (by extension; YAML otherwise), without validating it. */
export async function readConfigFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new VisionlabError(`cannot read the config file ${file}`, 'Check the path given to --config.');
  }
  let value: unknown;
  try {
    value = path.extname(file).toLowerCase() === '.json' ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new VisionlabError(
      `${file} is not valid ${path.extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new VisionlabError(
      `${file} must hold a mapping of config keys, not ${Array.isArray(value) ? 'a list' : typeof value}`,
    );
  }
  return value as Record<string, unknown>;
}
