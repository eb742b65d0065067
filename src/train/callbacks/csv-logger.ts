import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { formatHistoryCsv } from '../history-csv.js';
import type { EpochRecord } from '../types.js';
import { Callback, type Logs } from './callback.js';

export interface CSVLoggerOptions {
  separator?: string;
  /** Keep the rows already in the file (from an earlier run) and add to them. */
  append?: boolean;
}

function parseRows(text: string, separator: string): EpochRecord[] {
  const [head, ...lines] = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (!head) return [];
  const columns = head.split(separator);
  return lines.map((line) => {
    const cells = line.split(separator);
    const row: Record<string, number> = {};
    columns.forEach((c, i) => {
      if (cells[i] !== undefined && cells[i] !== '') row[c] = Number(cells[i]);
    });
    return row as EpochRecord;
  });
}

/**
 * Keras' `CSVLogger`: one row per epoch (`epoch,loss,accuracy,val_loss,val_accuracy,lr`, then other
 * metrics), the whole file rewritten atomically after each epoch. Epochs are 1-based, as in `history.csv`.
 */
export class CSVLogger extends Callback {
  readonly name = 'CSVLogger';
  private readonly separator: string;
  private readonly append: boolean;
  private previous: EpochRecord[] = [];

  constructor(
    readonly filename: string,
    options: CSVLoggerOptions = {},
  ) {
    super();
    this.separator = options.separator ?? ',';
    this.append = options.append ?? false;
  }

  override async onTrainBegin(): Promise<void> {
    this.previous = [];
    if (!this.append) return;
    try {
      this.previous = parseRows(await fs.readFile(this.filename, 'utf8'), this.separator);
    } catch {
      // Nothing to append to yet.
    }
  }

  override async onEpochEnd(_epoch: number, _logs: Logs): Promise<void> {
    await writeFileAtomic(
      this.filename,
      formatHistoryCsv([...this.previous, ...this.context.history], this.separator),
    );
  }
}
