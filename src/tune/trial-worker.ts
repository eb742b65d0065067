/**
 * The child side of `ProcessExecutor`: receives one trial request over IPC, runs it with `trainRun` in
 * this process, sends its log lines and then its report (or its error) back, and exits.
 */
import { VisionlabError } from '../errors.js';
import { InProcessExecutor, type TrialRequest } from './executor.js';
import type { WorkerMessage } from './process-executor.js';

const send = (message: WorkerMessage): Promise<void> =>
  new Promise((resolve) => process.send!(message, () => resolve()));

process.once('message', (message: { request: TrialRequest }) => {
  const executor = new InProcessExecutor((line) => void send({ log: line }));
  executor
    .run(message.request)
    .then(async (report) => {
      await send({ report });
      process.exit(0);
    })
    .catch(async (err: Error) => {
      const hint = err instanceof VisionlabError ? err.hint : undefined;
      const text =
        hint && err.message.endsWith(`\n${hint}`) ? err.message.slice(0, -hint.length - 1) : err.message;
      await send({ error: { message: text, hint, userError: err instanceof VisionlabError } });
      process.exit(1);
    });
});
