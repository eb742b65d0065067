import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VisionlabError } from '../errors.js';
import type { TrialExecutor, TrialReport, TrialRequest } from './executor.js';

/** What a trial worker sends back over IPC. */
export type WorkerMessage =
  | { log: string }
  | { report: TrialReport }
  | { error: { message: string; hint?: string; userError: boolean } };

export interface ProcessExecutorOptions {
  log?: (line: string) => void;
  /** Called with each worker once it is started (to watch it, or to stop it). */
  onWorker?: (worker: ChildProcess, request: TrialRequest) => void;
}

/** The worker script beside this file: `.ts` when run from source (through tsx), `.js` when built. */
function workerScript(): string {
  const here = fileURLToPath(import.meta.url);
  return path.join(path.dirname(here), `trial-worker${path.extname(here)}`);
}

/**
 * Runs each trial in a fresh Node.js process (`child_process.fork`), one after the other: a trial that
 * crashes or runs out of memory takes only its own process down, and each trial starts with a clean
 * heap and backend. Requests and reports are the same plain JSON as for `InProcessExecutor`.
 */
export class ProcessExecutor implements TrialExecutor {
  constructor(private readonly options: ProcessExecutorOptions = {}) {}

  run(request: TrialRequest): Promise<TrialReport> {
    const log = this.options.log ?? (() => {});
    return new Promise((resolve, reject) => {
      // The parent's flags (such as --import tsx) let the worker load the same sources.
      const worker = fork(workerScript(), [], { execArgv: process.execArgv, stdio: 'inherit' });
      let settled: TrialReport | Error | undefined;
      worker.on('message', (message: WorkerMessage) => {
        if ('log' in message) log(message.log);
        else if ('report' in message) settled = message.report;
        else {
          const { message: text, hint, userError } = message.error;
          settled = userError ? new VisionlabError(text, hint) : new Error(text);
        }
      });
      worker.on('error', (err) => {
        settled ??= new VisionlabError(
          `trial ${request.id}: could not start a worker process (${err.message})`,
          'Run the search with the in-process executor.',
        );
      });
      worker.on('exit', (code, signal) => {
        if (settled instanceof Error) reject(settled);
        else if (settled) resolve(settled);
        else {
          reject(
            new VisionlabError(
              `trial ${request.id}: its worker process ended ${signal ? `by signal ${signal}` : `with exit code ${code}`} before reporting`,
              'The finished trials are kept in the search folder: run the same search again to resume from this trial (or use the in-process executor to see the failure).',
            ),
          );
        }
      });
      this.options.onWorker?.(worker, request);
      // A worker that dies before it reads the request is reported by 'exit' (not as a failed start).
      worker.send({ request }, () => {});
    });
  }
}
