import path from 'node:path';

/**
 * The files of a run folder, relative to it. The format is described in one place: docs/run-folder.md.
 * Every reader and writer of a run folder takes its names from here.
 */
export const RUN_FILES = {
  config: 'config.json',
  status: 'status.json',
  history: 'history.csv',
  dataset: 'dataset.json',
  model: 'model',
  modelJson: path.join('model', 'model.json'),
  checkpoint: path.join('checkpoint', 'checkpoint.bin'),
  checkpointDir: 'checkpoint',
  metrics: 'metrics.json',
  report: 'report.html',
  curves: 'curves.svg',
  lock: 'run.lock',
  /** A freeze-point search's folder: what was asked, its status and every finished trial (its trials are run folders inside it). */
  search: 'search.json',
  /** Evaluations on data other than the run's own test split, one sub-folder per data set. */
  evaluations: 'evaluations',
} as const;

export type RunFileKey = keyof typeof RUN_FILES;

/** The path of one of the run's files. */
export function runFile(runDir: string, key: RunFileKey): string {
  return path.join(runDir, RUN_FILES[key]);
}
