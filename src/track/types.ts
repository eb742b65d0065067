import type { EpochRecord, RunState, RunStatus } from '../train/types.js';

/** `unknown`: the folder has no readable `status.json` yet. */
export type IndexedStatus = RunStatus | 'unknown';

/** One row of the runs list: what the folder says, flattened for sorting. */
export interface RunSummary {
  name: string;
  dir: string;
  /** `search`: a freeze-point search's folder, its trials run folders inside it. */
  kind: 'run' | 'search';
  /** A search's finished trials (null for a run). */
  trials: number | null;
  status: IndexedStatus;
  model: string | null;
  createdAt: string | null;
  startedAt: string | null;
  updatedAt: string | null;
  endedAt: string | null;
  /** Wall time from start to end (or to the last update while running), seconds. */
  durationSeconds: number | null;
  epochsCompleted: number;
  restoredEpoch: number | null;
  /** The last epoch's row of `history.csv`. */
  lastEpoch: EpochRecord | null;
  bestValAccuracy: number | null;
  bestValLoss: number | null;
  /** Test accuracy from `metrics.json`, when evaluated. */
  testAccuracy: number | null;
  hasModel: boolean;
}

/** Everything the store holds about one run. */
export interface RunDetail extends RunSummary {
  config: Record<string, unknown> | null;
  state: RunState | null;
  metrics: Record<string, unknown> | null;
  history: EpochRecord[];
}
