import { saveModel, saveWeights } from '../model-io.js';
import type { CallbackState, Logs } from './callback.js';
import { withDefaults } from './entry.js';
import { MONITOR_DEFAULTS, MonitorCallback, type MonitorOptions } from './monitor-callback.js';
import { formatValue } from './format.js';

export interface ModelCheckpointOptions extends MonitorOptions {
  /**
   * Folder to save into; may hold Python-style fields filled from the epoch's logs, e.g.
   * `runs/x/epoch-{epoch:02d}-{val_loss:.4f}` (`epoch` is 1-based, as in Keras file names).
   */
  filepath: string;
  /** Save only when the monitored value improves on the best so far. */
  saveBestOnly?: boolean;
  /** Save only the weights (`weights.bin` + `weights.json`), not the topology. */
  saveWeightsOnly?: boolean;
}

/** The constructor's defaults. */
export const MODEL_CHECKPOINT_DEFAULTS = {
  ...MONITOR_DEFAULTS,
  minDelta: 0,
  saveBestOnly: false,
  saveWeightsOnly: false,
  verbose: 0 as 0 | 1,
};

/** Fills `{name}`, `{name:02d}` and `{name:.4f}` fields from `values`. */
export function formatFilepath(template: string, values: Record<string, number>): string {
  return template.replace(/\{(\w+)(?::([^}]*))?\}/g, (whole, name: string, spec: string | undefined) => {
    const value = values[name];
    if (value === undefined) return whole;
    if (!spec) return String(value);
    const fixed = /^\.(\d+)f$/.exec(spec);
    if (fixed) return value.toFixed(Number(fixed[1]));
    const padded = /^0?(\d+)d$/.exec(spec);
    if (padded)
      return String(Math.round(value)).padStart(Number(padded[1]), spec.startsWith('0') ? '0' : ' ');
    const exp = /^\.(\d+)e$/.exec(spec);
    if (exp) return value.toExponential(Number(exp[1]));
    return String(value);
  });
}

/** Keras' `ModelCheckpoint`: saves the model (or its weights) after each epoch, or only when it improves. */
export class ModelCheckpoint extends MonitorCallback {
  readonly name = 'ModelCheckpoint';
  readonly filepath: string;
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  best: number;
  /** Folders written so far, in order. */
  readonly saved: string[] = [];

  constructor(options: ModelCheckpointOptions) {
    super(options, MODEL_CHECKPOINT_DEFAULTS);
    const o = withDefaults(MODEL_CHECKPOINT_DEFAULTS, options);
    this.filepath = options.filepath;
    this.saveBestOnly = o.saveBestOnly;
    this.saveWeightsOnly = o.saveWeightsOnly;
    this.best = this.worstValue();
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    const dir = formatFilepath(this.filepath, { ...logs, epoch: epoch + 1 });
    if (this.saveBestOnly) {
      const current = logs[this.monitor];
      if (current === undefined) {
        this.context.log(`warning: can save best model only with ${this.monitor} available, skipping`);
        return;
      }
      if (!this.isImprovement(current, this.best)) {
        if (this.verbose) {
          this.context.log(
            `Epoch ${epoch + 1}: ${this.monitor} did not improve from ${formatValue(this.best)}`,
          );
        }
        return;
      }
      if (this.verbose) {
        this.context.log(
          `Epoch ${epoch + 1}: ${this.monitor} improved from ${formatValue(this.best)} to ${formatValue(current)}, saving model to ${dir}`,
        );
      }
      this.best = current;
    } else if (this.verbose) {
      this.context.log(`Epoch ${epoch + 1}: saving model to ${dir}`);
    }
    if (this.saveWeightsOnly) await saveWeights(this.model, dir);
    else await saveModel(this.model, dir);
    this.saved.push(dir);
  }

  override getState(): CallbackState {
    return { json: { best: Number.isFinite(this.best) ? this.best : null } };
  }

  override setState(state: CallbackState): void {
    const best = (state.json as { best: number | null }).best;
    this.best = best ?? this.worstValue();
  }
}
