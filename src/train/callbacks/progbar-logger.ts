import cliProgress from 'cli-progress';
import { Callback, type Logs } from './callback.js';
import { formatDuration, formatLogs, formatStepTime } from './format.js';

export interface ProgbarLoggerOptions {
  /** Where to write; defaults to stdout. */
  stream?: NodeJS.WriteStream | NodeJS.WritableStream;
  /** Draw a live bar (Keras `verbose=1`); defaults to whether the stream is a terminal. Otherwise one line per epoch. */
  live?: boolean;
}

/**
 * Keras' progress bar: in a terminal, per batch `step/steps [=====>....] - ETA - loss - accuracy`;
 * elsewhere (logs, CI) one line per epoch: `Epoch 3/10 - 15/15 - 2s - 120ms/step - loss: … - val_accuracy: …`.
 */
export class ProgbarLogger extends Callback {
  readonly name = 'ProgbarLogger';
  private readonly stream: NodeJS.WritableStream;
  private readonly live: boolean;
  private bar?: cliProgress.SingleBar;
  private epochStart = 0;
  private seen = 0;
  private epoch = 0;

  constructor(options: ProgbarLoggerOptions = {}) {
    super();
    this.stream = options.stream ?? process.stdout;
    this.live = options.live ?? Boolean((this.stream as NodeJS.WriteStream).isTTY);
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.epoch = epoch;
    this.epochStart = performance.now();
    this.seen = 0;
    if (!this.live) return;
    this.stream.write(`Epoch ${epoch + 1}/${this.context.epochs}\n`);
    this.bar = new cliProgress.SingleBar(
      {
        format: '{value}/{total} [{bar}] - ETA: {eta_formatted}{metrics}',
        barCompleteChar: '=',
        barIncompleteChar: '.',
        barsize: 30,
        hideCursor: true,
        stream: this.stream as NodeJS.WriteStream,
        fps: 10,
        etaBuffer: 20,
      },
      cliProgress.Presets.legacy,
    );
    this.bar.start(this.context.steps, 0, { metrics: '' });
  }

  override async onBatchEnd(batch: number, logs: Logs): Promise<void> {
    this.seen = batch + 1;
    this.bar?.update(batch + 1, { metrics: formatLogs(logs, ['batch', 'size']) });
  }

  override async onEpochEnd(_epoch: number, logs: Logs): Promise<void> {
    const seconds = (performance.now() - this.epochStart) / 1000;
    const steps = this.seen || this.context.steps;
    const timing = ` - ${formatDuration(seconds)} ${formatStepTime(seconds / Math.max(1, steps))}`;
    if (this.bar) {
      this.bar.stop();
      this.bar = undefined;
      // Replace the live line with the final one, as Keras does.
      this.stream.write(
        `\x1b[1A\x1b[2K${steps}/${this.context.steps} [${'='.repeat(30)}]${timing}${formatLogs(logs, ['epoch'])}\n`,
      );
      return;
    }
    this.stream.write(
      `Epoch ${this.epoch + 1}/${this.context.epochs} - ${steps}/${this.context.steps}${timing}${formatLogs(logs, ['epoch'])}\n`,
    );
  }

  override async onTrainEnd(): Promise<void> {
    this.bar?.stop();
    this.bar = undefined;
  }
}
