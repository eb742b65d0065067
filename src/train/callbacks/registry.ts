import type { z } from 'zod';
import type { Callback } from './callback.js';
import { earlyStoppingEntry } from './early-stopping.js';
import type { CallbackEntry, CallbackRunInfo } from './entry.js';
import { lrScheduleEntry } from './learning-rate-scheduler.js';
import { reduceLrEntry } from './reduce-lr-on-plateau.js';
import { terminateOnNaNEntry } from './terminate-on-nan.js';

/**
 * The callbacks config files and `visionlab train` can ask for, by config key, in the order training runs
 * them. A callback's file declares its entry (schema, flag, builder); listing it here is all it takes.
 */
export const CALLBACK_ENTRIES = {
  terminateOnNaN: terminateOnNaNEntry,
  lrSchedule: lrScheduleEntry,
  reduceLr: reduceLrEntry,
  earlyStopping: earlyStoppingEntry,
} satisfies Record<string, CallbackEntry>;

type Entries = typeof CALLBACK_ENTRIES;
export type CallbackConfigKey = keyof Entries;

/** The training config's keys for callbacks, with their schemas (spread into the config schema). */
export const callbackConfigShape = Object.fromEntries(
  Object.entries(CALLBACK_ENTRIES).map(([key, entry]) => [key, entry.schema]),
) as { [K in CallbackConfigKey]: Entries[K]['schema'] };

/** The validated callback keys of a training config. */
export type CallbackConfig = { [K in CallbackConfigKey]?: z.output<Entries[K]['schema']> };

/** One `key=value,…` flag per configurable callback: what a CLI declares and parses into `config[key]`. */
export interface CallbackFlag {
  key: CallbackConfigKey;
  /** `--early-stopping` */
  name: `--${string}`;
  help: string;
}

export const CALLBACK_FLAGS: readonly CallbackFlag[] = (
  Object.entries(CALLBACK_ENTRIES) as [CallbackConfigKey, CallbackEntry][]
).flatMap(([key, entry]) => (entry.flag ? [{ key, ...entry.flag }] : []));

/** The callbacks a training config asks for, in registry order. */
export function buildConfiguredCallbacks(config: CallbackConfig, run: CallbackRunInfo): Callback[] {
  const callbacks: Callback[] = [];
  for (const [key, entry] of Object.entries(CALLBACK_ENTRIES) as [CallbackConfigKey, CallbackEntry][]) {
    const options = config[key];
    if (options === undefined || options === null) continue;
    const callback = entry.build(options, run);
    if (callback) callbacks.push(callback);
  }
  return callbacks;
}
