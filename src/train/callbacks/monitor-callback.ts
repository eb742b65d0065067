import { Callback, resolveMode, type MonitorMode } from './callback.js';

export interface MonitorOptions {
  /** The log to watch (`val_loss`, `val_accuracy`, …). */
  monitor?: string;
  /** `auto` maximises accuracy-like metrics and minimises everything else. */
  mode?: MonitorMode;
  /** How much the value must beat the best so far by to count as an improvement. */
  minDelta?: number;
}

/**
 * A callback that watches one monitored value: EarlyStopping, ReduceLROnPlateau and ModelCheckpoint
 * share its improvement test, so "better" means the same thing in all three.
 */
export abstract class MonitorCallback extends Callback {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly minDelta: number;

  constructor(options: MonitorOptions, defaults: { minDelta: number }) {
    super();
    this.monitor = options.monitor ?? 'val_loss';
    this.mode = resolveMode(options.mode ?? 'auto', this.monitor);
    this.minDelta = Math.abs(options.minDelta ?? defaults.minDelta);
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
