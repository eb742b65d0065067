import { Callback } from '../train/callbacks/callback.js';
import type { TrainConfig } from '../train/config.js';
import { trainRun } from '../train/run-training.js';
import type { TrialOutcome } from './halving.js';

/** One trial, as plain JSON so that another process (or a job queue) can run it. */
export interface TrialRequest {
  /** Unique within the search; also the name of the trial's run folder. */
  id: string;
  /** The complete training config of the trial (its runsDir is the search folder). */
  config: TrainConfig;
}

export interface TrialReport extends TrialOutcome {
  id: string;
  runDir: string;
  epochs: number;
  /** Wall-clock seconds per epoch, validation included (model building and data loading not). */
  secondsPerEpoch: number;
  /** Validation loss and accuracy per epoch. */
  history: Array<{ epoch: number; valLoss: number; valAccuracy: number }>;
}

/** Runs trials; in this process, in worker processes, or on a cluster behind the same interface. */
export interface TrialExecutor {
  run(request: TrialRequest): Promise<TrialReport>;
}

/** Reads a finished trial's report out of `trainRun`'s result. */
export function trialReport(
  request: TrialRequest,
  runDir: string,
  history: Array<Record<string, number>>,
  seconds: number,
): TrialReport {
  const rows = history.map((h) => ({
    epoch: h.epoch,
    valLoss: h.val_loss ?? NaN,
    valAccuracy: h.val_accuracy ?? NaN,
  }));
  const last = rows[rows.length - 1];
  return {
    id: request.id,
    runDir,
    epochs: rows.length,
    secondsPerEpoch: rows.length > 0 ? seconds / rows.length : 0,
    valLoss: last?.valLoss ?? NaN,
    valAccuracy: last?.valAccuracy ?? NaN,
    history: rows,
  };
}

/** Seconds of each epoch, from its first batch to the end of its validation. */
export class EpochTimer extends Callback {
  readonly name = 'EpochTimer';
  readonly seconds: number[] = [];
  private started = 0;

  override async onEpochBegin(): Promise<void> {
    this.started = performance.now();
  }

  override async onEpochEnd(): Promise<void> {
    this.seconds.push((performance.now() - this.started) / 1000);
  }
}

/** Runs each trial with `trainRun` in this process, one after the other. */
export class InProcessExecutor implements TrialExecutor {
  constructor(private readonly log: (line: string) => void = () => {}) {}

  async run(request: TrialRequest): Promise<TrialReport> {
    const timer = new EpochTimer();
    const result = await trainRun(request.config, { log: this.log, callbacks: [timer] });
    const seconds = timer.seconds.reduce((a, b) => a + b, 0);
    return trialReport(request, result.runDir, result.history as Array<Record<string, number>>, seconds);
  }
}
