import path from 'node:path';
import { parseTrainConfig, readConfigFile, trainConfigSchema, type TrainConfig } from '../train/config.js';
import { readRunConfig, resolveRunDir, RUN_FILES } from '../train/run-folder.js';
import { CALLBACK_FLAGS, type CallbackConfigKey } from '../train/callbacks/registry.js';
import { parseChoice } from './choice.js';
import { parseKeyValueList, parseList } from './key-value.js';
import {
  parseBatchSize,
  parseFraction,
  parseNonNegativeInt,
  parseNumber,
  parsePositiveNumber,
} from './numbers.js';
import { parseImageSize, parseInputShape } from './shape.js';

/** The raw string values of `visionlab train`'s flags (as commander hands them over). */
export interface TrainFlags extends Partial<Record<CallbackConfigKey, string>> {
  config?: string;
  data?: string;
  model?: string;
  epochs?: string;
  seed?: string;
  batchSize?: string;
  imageSize?: string;
  inputShape?: string;
  colorMode?: string;
  validationSplit?: string;
  testSplit?: string;
  optimizer?: string;
  learningRate?: string;
  momentum?: string;
  runsDir?: string;
  name?: string;
  freezeUntil?: string;
  freezeNames?: string;
  freezeStages?: string;
  freezeBlocks?: string;
  freezeKinds?: string;
  frozenPrefixCache?: boolean;
  classWeight?: string;
  pretrained?: string;
  head?: string;
  augment?: string;
  cacheDir?: string;
  checkpoint?: boolean;
  /** false for `--no-evaluate`; commander's default true is not a choice the user made. */
  evaluate?: boolean;
  progress?: string;
  precision?: string;
}

const PROGRESS = { bar: 1, epoch: 2, none: 0, auto: 'auto' } as const;

const batchSize = (flag: string, text: string) => parseBatchSize(text, flag);

/**
 * Flags as config keys: only the flags given, so that they override the file and nothing else. Each
 * value is read by the parser of its kind, as in every other command; the config schema checks the
 * result again, as it does a config file's (for `--epochs`, only the schema checks the range).
 */
export function flagsToConfig(flags: TrainFlags): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const num = (
    key: keyof TrainFlags,
    flag: string,
    parse: (flag: string, text: string) => number = parseNumber,
  ) => {
    const v = flags[key];
    if (typeof v === 'string') out[key] = parse(flag, v);
  };
  const str = (key: keyof TrainFlags) => {
    const v = flags[key];
    if (typeof v === 'string') out[key] = v;
  };
  str('data');
  str('model');
  num('epochs', '--epochs');
  num('seed', '--seed', parseNonNegativeInt);
  num('batchSize', '--batch-size', batchSize);
  if (flags.imageSize) out.imageSize = parseImageSize(flags.imageSize);
  if (flags.inputShape) out.inputShape = parseInputShape(flags.inputShape);
  str('colorMode');
  num('validationSplit', '--validation-split', parseFraction);
  num('testSplit', '--test-split', parseFraction);
  str('optimizer');
  if (flags.learningRate === 'auto') out.learningRate = 'auto';
  else num('learningRate', '--learning-rate', parsePositiveNumber);
  num('momentum', '--momentum');
  str('runsDir');
  str('name');
  for (const flag of CALLBACK_FLAGS) {
    const value = flags[flag.key];
    if (value !== undefined) out[flag.key] = parseKeyValueList(flag.name, value);
  }
  num('freezeUntil', '--freeze-until', parseNonNegativeInt);
  str('freezeNames');
  num('freezeStages', '--freeze-stages', parseNonNegativeInt);
  num('freezeBlocks', '--freeze-blocks', parseNonNegativeInt);
  if (flags.freezeKinds !== undefined) out.freezeKinds = parseList(flags.freezeKinds);
  if (flags.frozenPrefixCache) out.frozenPrefixCache = true;
  if (flags.classWeight !== undefined) {
    out.classWeight =
      flags.classWeight === 'balanced' ? 'balanced' : parseKeyValueList('--class-weight', flags.classWeight);
  }
  str('pretrained');
  if (flags.head !== undefined) out.head = parseKeyValueList('--head', flags.head);
  if (flags.augment !== undefined) out.augment = parseList(flags.augment);
  str('cacheDir');
  str('precision');
  if (flags.checkpoint === false) out.checkpoint = false;
  if (flags.evaluate === false) out.evaluate = false;
  if (flags.progress !== undefined) {
    const choices = Object.keys(PROGRESS) as Array<keyof typeof PROGRESS>;
    out.verbose = PROGRESS[parseChoice('--progress', flags.progress, choices)];
  }
  return out;
}

/** Nested objects (earlyStopping…) merge key by key; everything else the later source replaces. */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      b && v && typeof b === 'object' && typeof v === 'object' && !Array.isArray(b) && !Array.isArray(v)
        ? { ...(b as object), ...(v as object) }
        : v;
  }
  return out;
}

/** The config of `visionlab train`: the file's keys, overridden by the flags given, validated. */
export async function resolveTrainConfig(flags: TrainFlags): Promise<TrainConfig> {
  const fromFile = flags.config ? await readConfigFile(flags.config) : {};
  return parseTrainConfig(
    merge(fromFile, flagsToConfig(flags)),
    flags.config ? `${flags.config} and the flags` : 'the flags',
  );
}

/** Finds the run folder `--resume` names: a path, or a run name inside the runs folder. */
export function resolveRunToResume(run: string, runsDir: string): string {
  return resolveRunDir(run, runsDir, 'to resume');
}

/** The config a run was started with (its effective config.json), with the flags given now on top (e.g. more --epochs). */
export async function resumeConfig(runDir: string, flags: TrainFlags): Promise<TrainConfig> {
  const saved = await readRunConfig(runDir);
  const known = Object.keys(trainConfigSchema.shape);
  const kept = Object.fromEntries(Object.entries(saved).filter(([k]) => known.includes(k)));
  return parseTrainConfig(
    merge(kept, flagsToConfig(flags)),
    `${path.join(runDir, RUN_FILES.config)} and the flags`,
  );
}
