import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCheckpointState } from '../../src/train/checkpoint-file.js';
import { parseHistoryCsv } from '../../src/train/history-csv.js';
import { TS_NODE_FLAGS } from './ts-node.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cliChild = path.join(here, '..', 'train', 'cli-child.ts');
const preload = path.join(here, 'kill-on-write.ts');

/** A write to kill the training in: the n-th atomic write of `file` (its base name). */
export interface KillPoint {
  file: string;
  nth: number;
}

/**
 * Writes of a 3-epoch training with evaluation, by file: config and dataset once; status at the start,
 * after each epoch and at the end; history, curves and checkpoint after each epoch (history again at the
 * end); the model; the metrics, charts and report of the evaluation. 26 points.
 */
export const ALL_KILL_POINTS: KillPoint[] = [
  ['config.json', 1],
  ['dataset.json', 1],
  ...[1, 2, 3, 4, 5].map((n) => ['status.json', n] as const),
  ...[1, 2, 3].map((n) => ['history.csv', n] as const),
  ...[1, 2, 3].map((n) => ['checkpoint.bin', n] as const),
  ...[1, 2].map((n) => ['curves.svg', n] as const),
  ...[1, 3].map((n) => ['curves.png', n] as const),
  ['weights.bin', 1],
  ['model.json', 1],
  ['metrics.json', 1],
  ['confusion.svg', 1],
  ['roc.svg', 1],
  ['report.html', 1],
  ['pr.svg', 1],
  ['misclassified.png', 1],
  ['history.csv', 4],
].map(([file, nth]) => ({ file, nth }) as KillPoint);

export interface KillOutcome {
  point: KillPoint;
  killed: boolean;
  /** The run finished (trained, evaluated, reported) after its recovery. */
  resumable: boolean;
  /** `.tmp` files anywhere in the run folder after the recovery. */
  leftoverTempFiles: string[];
  /** Epochs completed on disk at the kill that the recovery trained again, beyond the one in progress. */
  epochsLostBeyondCurrent: number;
  how: string;
}

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...TS_NODE_FLAGS, '--import', preload, cliChild, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

function tempFilesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.tmp'));
}

function statusOf(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(dir, 'status.json'), 'utf8')) as { status?: string }).status;
  } catch {
    return undefined;
  }
}

/**
 * Kills `visionlab train` at one write, then recovers the way a user would: `--resume` a run that was
 * training, `evaluate` one that had finished training, or the same command again when the folder holds no
 * config yet. Measures what the issue asks: resumable, leftover temp files, epochs lost.
 */
export async function killAndRecover(
  point: KillPoint,
  options: { data: string; runsDir: string; name: string; epochs?: number },
): Promise<KillOutcome> {
  const dir = path.join(options.runsDir, options.name);
  const trainArgs = [
    'train',
    '--data',
    options.data,
    '--image-size',
    '12,12',
    '--batch-size',
    '8',
    '--epochs',
    String(options.epochs ?? 3),
    '--runs-dir',
    options.runsDir,
    '--name',
    options.name,
    '--progress',
    'none',
  ];
  const killed = await run(trainArgs, { VISIONLAB_TEST_KILL_ON_WRITE: `${point.file}:${point.nth}` });
  const onDisk = existsSync(path.join(dir, 'history.csv'))
    ? parseHistoryCsv(readFileSync(path.join(dir, 'history.csv'), 'utf8')).length
    : 0;
  const checkpoint = await readCheckpointState<{ epoch: number }>(
    path.join(dir, 'checkpoint', 'checkpoint.bin'),
  );
  let how: string;
  let recovered;
  let restartedFrom = 0;
  if (!existsSync(path.join(dir, 'config.json'))) {
    how = 'train again';
    recovered = await run(trainArgs);
  } else if (statusOf(dir) === 'finished') {
    how = 'evaluate';
    restartedFrom = onDisk;
    recovered = await run(['evaluate', dir]);
  } else {
    how = 'resume';
    restartedFrom = checkpoint?.epoch ?? 0;
    recovered = await run(['train', '--resume', dir, '--progress', 'none']);
  }
  const resumable =
    recovered.code === 0 && statusOf(dir) === 'finished' && existsSync(path.join(dir, 'report.html'));
  return {
    point,
    killed: killed.signal === 'SIGKILL',
    resumable,
    leftoverTempFiles: tempFilesIn(dir),
    epochsLostBeyondCurrent: Math.max(0, onDisk - restartedFrom - 1),
    how: resumable ? how : `${how} failed: ${recovered.stderr.trim().split('\n')[0]}`,
  };
}
