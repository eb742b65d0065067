import type { z } from 'zod';
import type { Callback } from './callback.js';

/** What a configured callback is built from besides its own options. */
export interface CallbackRunInfo {
  epochs: number;
  /** The initial learning rate, when one was given. */
  learningRate?: number;
}

/**
 * A callback as config files and `visionlab train` reach it: the schema of its config key (`.optional()` or
 * with a default), its flag (a `key=value,…` list), and how to build it from the validated options.
 */
export interface CallbackEntry<S extends z.ZodType = z.ZodType> {
  schema: S;
  flag?: { name: `--${string}`; help: string };
  build(options: NonNullable<z.output<S>>, run: CallbackRunInfo): Callback | undefined;
}

/** Declares a registry entry with its types checked against its schema. */
export function callbackEntry<S extends z.ZodType>(entry: CallbackEntry<S>): CallbackEntry<S> {
  return entry;
}

/** The entry of a callback that runs only when its config key or flag is given. */
export function optionalEntry<S extends z.ZodType>(
  schema: S,
  flag: `--${string}`,
  help: string,
  build: (options: z.output<S>, run: CallbackRunInfo) => Callback | undefined,
): CallbackEntry<z.ZodOptional<S>> {
  return {
    schema: schema.optional(),
    flag: { name: flag, help },
    build: (options, run) => build(options as z.output<S>, run),
  };
}

/** `options` over a callback's table of defaults: an option left out (or undefined) keeps its default. */
export function withDefaults<D extends object>(defaults: D, options: object): D {
  const out = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = v;
  return out as D;
}
