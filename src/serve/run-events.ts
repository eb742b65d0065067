import { promises as fs } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseHistoryCsv, readRunText } from '../track/index.js';
import type { EpochRecord } from '../train/types.js';
import { runFile } from '../train/run-folder.js';

export interface RunEventsOptions {
  /** How often the run's files are checked for changes, ms. */
  pollMs: number;
  /** How often an idle stream sends a comment so proxies and browsers keep it open, ms. */
  heartbeatMs?: number;
}

async function stamp(file: string): Promise<string> {
  try {
    const stat = await fs.stat(file);
    return `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
  } catch {
    return '-';
  }
}

async function readState(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readRunText(file));
  } catch {
    return null;
  }
}

function extendsHistory(previous: EpochRecord[], next: EpochRecord[]): boolean {
  if (next.length < previous.length) return false;
  return previous.every((row, i) => next[i].epoch === row.epoch && next[i].loss === row.loss);
}

function send(res: ServerResponse, event: string, data: unknown): void {
  res.write(
    `event: ${event}\ndata: ${JSON.stringify(data, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))}\n\n`,
  );
}

/**
 * Server-sent events for one run: `snapshot` (history and status) on connect, then `history` with the new
 * rows each time training appends epochs to `history.csv`, `reset` when the file is rewritten otherwise
 * (a resumed run), and `status` when `status.json` changes. The folder is polled: training replaces its files
 * by rename, which a poll of size, mtime and inode sees on every file system.
 */
export async function streamRunEvents(
  req: IncomingMessage,
  res: ServerResponse,
  runDir: string,
  options: RunEventsOptions,
): Promise<void> {
  const historyFile = runFile(runDir, 'history');
  const statusFile = runFile(runDir, 'status');
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let historyStamp = await stamp(historyFile);
  let statusStamp = await stamp(statusFile);
  let history = parseHistoryCsv(await readRunText(historyFile).catch(() => ''));
  send(res, 'snapshot', { history, state: await readState(statusFile), pollMs: options.pollMs });

  let busy = false;
  const poll = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      const nextHistoryStamp = await stamp(historyFile);
      if (nextHistoryStamp !== historyStamp) {
        historyStamp = nextHistoryStamp;
        const next = parseHistoryCsv(await readRunText(historyFile).catch(() => ''));
        if (extendsHistory(history, next)) {
          if (next.length > history.length) send(res, 'history', { rows: next.slice(history.length) });
        } else {
          send(res, 'reset', { history: next });
        }
        history = next;
      }
      const nextStatusStamp = await stamp(statusFile);
      if (nextStatusStamp !== statusStamp) {
        statusStamp = nextStatusStamp;
        send(res, 'status', { state: await readState(statusFile) });
      }
    })().finally(() => {
      busy = false;
    });
  }, options.pollMs);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), options.heartbeatMs ?? 15_000);
  const stop = (): void => {
    clearInterval(poll);
    clearInterval(heartbeat);
  };
  req.on('close', stop);
  res.on('close', stop);
}
