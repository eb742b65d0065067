import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ImageDataset } from '../data/types.js';
import { VisionlabError } from '../errors.js';
import { readRegularFile } from '../util/read-regular-file.js';
import { parseHistoryCsv } from './history-csv.js';
import { recordedRunIdentity, type RunIdentity } from './run-callback.js';
import { readRunConfig, readStatus, RUN_FILES } from './run-folder.js';
import { readTrainingCheckpoint, type TrainingCheckpoint } from './training-state.js';
import type { RunState } from './types.js';

/** What an existing run folder holds for `--resume`, read and checked before anything is written to it. */
export interface ResumePoint {
  saved: Record<string, unknown>;
  state: RunState | null;
  /** The checkpoint's state; undefined when the run was stopped before its first checkpoint (it starts over). */
  checkpoint?: TrainingCheckpoint;
}

export async function resumePoint(runDir: string): Promise<ResumePoint> {
  const saved = await readRunConfig(runDir);
  const state = await readStatus(runDir);
  if (state?.status === 'finished') {
    throw new VisionlabError(
      `the run ${runDir} has finished; there is nothing to resume`,
      'Train a new run (another --name) to train for longer.',
    );
  }
  const checkpoint = await readTrainingCheckpoint(path.join(runDir, RUN_FILES.checkpoint));
  if (checkpoint) return { saved, state, checkpoint };
  const history = parseHistoryCsv(
    await readRegularFile(path.join(runDir, RUN_FILES.history))
      .then((b) => b.toString('utf8'))
      .catch(() => ''),
  );
  // One epoch on disk and no checkpoint: killed between the first epoch's history and its checkpoint; that
  // epoch was still in progress as far as resuming goes. More means the checkpoint was lost or damaged.
  if (history.length > 1 || (history.length === 1 && saved.checkpoint === false)) {
    throw new VisionlabError(
      `the run ${runDir} has no usable checkpoint (${path.join(runDir, RUN_FILES.checkpoint)})`,
      saved.checkpoint === false
        ? 'It was trained with --no-checkpoint, so it cannot be resumed; train a new run.'
        : 'Train a new run; the checkpoint is missing or damaged.',
    );
  }
  return { saved, state };
}

/** Fingerprint of a split's files and labels: a checkpoint made on other data is refused. */
export function dataFingerprint(dataset: ImageDataset): string {
  const hash = createHash('sha256');
  dataset.sources.forEach((source, i) => hash.update(`${source}\0${dataset.labels[i]}\n`));
  return hash.digest('hex').slice(0, 16);
}

export function checkCheckpointIdentity(
  runDir: string,
  checkpoint: TrainingCheckpoint,
  identity: RunIdentity,
): void {
  const recorded = recordedRunIdentity(checkpoint);
  const file = path.join(runDir, RUN_FILES.checkpoint);
  if (recorded?.runId !== undefined && recorded.runId !== identity.runId) {
    throw new VisionlabError(
      `the checkpoint ${file} belongs to another run (${recorded.runId}, this run is ${identity.runId})`,
      'Resume a run with its own checkpoint; a checkpoint copied from another run cannot continue this one.',
    );
  }
  if (recorded?.trainData !== undefined && recorded.trainData !== identity.trainData) {
    throw new VisionlabError(
      `the checkpoint ${file} was trained on other data: the training split's files or labels differ now`,
      'Resume with the data the run was started on, or train a new run.',
    );
  }
}
