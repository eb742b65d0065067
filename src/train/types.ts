/** One row of `history.csv`: the epoch's metrics, Keras names (`loss`, `accuracy`, `val_loss`, `val_accuracy`, `lr`…). */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  loss: number;
  [metric: string]: number;
}

export type RunStatus = 'running' | 'finished' | 'stopped' | 'failed';

/** `status.json` in a run folder, rewritten atomically as the run progresses. */
export interface RunState {
  status: RunStatus;
  /** When the run was first started; a resume keeps it. */
  startedAt: string;
  /** When it was last resumed. */
  resumedAt?: string;
  updatedAt: string;
  endedAt?: string;
  epochsCompleted: number;
  /** The epoch whose weights the saved model holds when EarlyStopping restored the best weights. */
  restoredEpoch?: number;
  /** Why the run stopped or failed. */
  message?: string;
}
