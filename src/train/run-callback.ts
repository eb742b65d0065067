import path from 'node:path';
import { Callback, type CallbackState, type Logs } from './callbacks/callback.js';
import { writeHistory, writeStatus } from './run-folder.js';
import type { EpochRecord, RunState } from './types.js';

/** Draws the curves of a run folder (the report module's `writeCurves`). */
export type CurvesWriter = (
  runDir: string,
  history: EpochRecord[],
  options: { restoredEpoch?: number },
) => Promise<unknown>;

/** What a checkpoint records of the run it belongs to, so that one copied from elsewhere is refused. */
export interface RunIdentity {
  runId: string;
  /** Fingerprint of the training split's files and labels. */
  trainData: string;
}

const RUN_FOLDER_CALLBACK = 'RunFolder';

/** The run identity a checkpoint recorded (the RunFolder callback's state), as far as it holds one. */
export function recordedRunIdentity(checkpoint: {
  callbacks?: Record<string, Record<string, unknown>>;
}): Partial<RunIdentity> | undefined {
  return checkpoint.callbacks?.[RUN_FOLDER_CALLBACK] as Partial<RunIdentity> | undefined;
}

/** Keeps a run folder current: `history.csv`, `status.json` and the curves after every epoch. */
export class RunFolderCallback extends Callback {
  readonly name = RUN_FOLDER_CALLBACK;
  private curvesFailed = false;

  constructor(
    private readonly runDir: string,
    private readonly state: RunState,
    private readonly writeCurves?: CurvesWriter,
    private readonly identity?: RunIdentity,
  ) {
    super();
  }

  override getState(): CallbackState {
    return { json: this.identity ? { ...this.identity } : {} };
  }

  override async onTrainBegin(): Promise<void> {
    await writeStatus(this.runDir, { ...this.state, updatedAt: new Date().toISOString() });
  }

  override async onEpochEnd(_epoch: number, _logs: Logs): Promise<void> {
    await this.flush();
  }

  /** Writes the history, the status and the curves as they are now. */
  async flush(extra: Partial<RunState> = {}): Promise<void> {
    const history = this.context.history;
    Object.assign(this.state, extra, {
      updatedAt: new Date().toISOString(),
      epochsCompleted: history.length,
    });
    if (this.context.restoredEpoch !== undefined) this.state.restoredEpoch = this.context.restoredEpoch;
    await writeHistory(this.runDir, history);
    await writeStatus(this.runDir, this.state);
    if (this.writeCurves && !this.curvesFailed && history.length > 0) {
      try {
        await this.writeCurves(this.runDir, history, { restoredEpoch: this.state.restoredEpoch });
      } catch (err) {
        // Curves are a convenience: a chart failure must not end a long run.
        this.curvesFailed = true;
        this.context.log(
          `warning: could not draw ${path.join(this.runDir, 'curves.svg')} (${(err as Error).message})`,
        );
      }
    }
  }
}
