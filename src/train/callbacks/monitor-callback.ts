import { z } from 'zod';
import { Callback, resolveMode, type MonitorMode } from './callback.js';
import { withDefaults } from './entry.js';

export interface MonitorOptions {
  /** The log to watch (`val_loss`, `val_accuracy`, …). */
  monitor?: string;
  /** `auto` maximises accuracy-like metrics and minimises everything else. */
  mode?: MonitorMode;
  /** How much the value must beat the best so far by to count as an improvement. */
  minDelta?: number;
  /** 1 logs a line when the callback acts (stops, reduces, saves). */
  verbose?: 0 | 1;
}

export interface MonitorDefaults {
  monitor: string;
  mode: MonitorMode;
  minDelta: number;
  verbose: 0 | 1;
}

/** The defaults every monitoring callback shares; each adds its own `minDelta` and `verbose`. */
export const MONITOR_DEFAULTS: Omit<MonitorDefaults, 'minDelta' | 'verbose'> = {
  monitor: 'val_loss',
  mode: 'auto',
};

/**
 * The defaults EarlyStopping and ReduceLROnPlateau share. `verbose` is 1 where Keras says 0, on
 * purpose: a run that stops early or lowers its learning rate says so, from the library as from
 * `visionlab train`.
 */
export const PLATEAU_DEFAULTS: Omit<MonitorDefaults, 'minDelta'> = { ...MONITOR_DEFAULTS, verbose: 1 };

/** The config schema of `monitor`, `mode`, `minDelta` and `verbose`, with a callback's defaults. */
export function monitorSchemaShape(defaults: MonitorDefaults) {
  return {
    monitor: z.string().default(defaults.monitor),
    mode: z.enum(['auto', 'min', 'max']).default(defaults.mode),
    minDelta: z.number().min(0).default(defaults.minDelta),
    verbose: z.union([z.literal(0), z.literal(1)]).default(defaults.verbose),
  };
}

/** The same with `patience`: epochs without an improvement before the callback acts. */
export function plateauSchemaShape(defaults: MonitorDefaults & { patience: number }) {
  return {
    ...monitorSchemaShape(defaults),
    patience: z.number().int().min(0).default(defaults.patience),
  };
}

/**
 * A callback that watches one monitored value: EarlyStopping, ReduceLROnPlateau and ModelCheckpoint
 * share its improvement test, so "better" means the same thing in all three.
 */
export abstract class MonitorCallback extends Callback {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly minDelta: number;
  readonly verbose: 0 | 1;

  /** `defaults`: the subclass's table of defaults (`MONITOR_DEFAULTS` plus its `minDelta`). */
  constructor(options: MonitorOptions, defaults: MonitorDefaults) {
    super();
    const o = withDefaults(defaults, options);
    this.monitor = o.monitor;
    this.mode = resolveMode(o.mode, this.monitor);
    this.minDelta = Math.abs(o.minDelta);
    this.verbose = o.verbose;
  }

  /** The value nothing has beaten yet: +∞ when minimising, −∞ when maximising. */
  protected worstValue(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  /** True when `value` beats `reference` by more than `minDelta`; anything beats an undefined reference, NaN beats nothing. */
  protected isImprovement(value: number, reference: number | undefined): boolean {
    if (Number.isNaN(value)) return false;
    if (reference === undefined) return true;
    return this.mode === 'min' ? value + this.minDelta < reference : value - this.minDelta > reference;
  }
}
