import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SkippedFile } from '../../src/data/index.js';
import { TS_NODE_FLAGS } from '../helpers/ts-node.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

export interface ChildResult {
  length: number;
  sources: string[];
  skipped: SkippedFile[];
  sums: Record<string, number>;
  warnings: string[];
}

/** Runs helpers/load-directory.ts in a separate Node process (optionally held to file permissions as root). */
export function loadInChild(
  dir: string,
  options: object = {},
  { obeyFilePermissions = false } = {},
): Promise<ChildResult> {
  const node = [process.execPath, ...TS_NODE_FLAGS, path.join(here, 'helpers', 'load-directory.ts')];
  // root reads any file; without these two capabilities it is held to the permission bits like anyone.
  const command = obeyFilePermissions ? [...WITHOUT_FILE_OVERRIDE, ...node] : node;
  return new Promise((resolve, reject) => {
    execFile(
      command[0],
      [...command.slice(1), dir, JSON.stringify(options)],
      {
        cwd: repo,
        env: { ...process.env, VISIONLAB_BACKEND: 'cpu' },
      },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult);
      },
    );
  });
}

/** Starts helpers/load-directory.ts and returns the process, for tests that kill it. */
export function spawnLoad(dir: string, options: object = {}): ChildProcess {
  return spawn(
    process.execPath,
    [...TS_NODE_FLAGS, path.join(here, 'helpers', 'load-directory.ts'), dir, JSON.stringify(options)],
    { cwd: repo, stdio: 'ignore', env: { ...process.env, VISIONLAB_BACKEND: 'cpu' } },
  );
}

/** The conventional uid (and gid) of the unprivileged user `nobody`. */
const DAC_CAPS = '-dac_override,-dac_read_search';
const WITHOUT_FILE_OVERRIDE = ['setpriv', `--inh-caps=${DAC_CAPS}`, `--bounding-set=${DAC_CAPS}`];
