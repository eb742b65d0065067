import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SkippedFile } from '../../src/data/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

export interface ChildResult {
  length: number;
  sources: string[];
  skipped: SkippedFile[];
  sums: Record<string, number>;
  warnings: string[];
}

/** Runs helpers/load-directory.ts in a separate Node process (optionally as another user). */
export function loadInChild(dir: string, options: object = {}, uid?: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(here, 'helpers', 'load-directory.ts'), dir, JSON.stringify(options)],
      {
        cwd: repo,
        ...(uid === undefined ? {} : { uid, gid: uid }),
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
    ['--import', 'tsx', path.join(here, 'helpers', 'load-directory.ts'), dir, JSON.stringify(options)],
    { cwd: repo, stdio: 'ignore', env: { ...process.env, VISIONLAB_BACKEND: 'cpu' } },
  );
}

/** The conventional uid (and gid) of the unprivileged user `nobody`. */
export const NOBODY = 65534;

/** Whether `uid` can start Node with tsx in this repository and read `paths`. */
export function canRunAs(uid: number, paths: readonly string[]): boolean {
  const check = `const fs = require('fs'); for (const p of ${JSON.stringify([path.join(repo, 'node_modules', 'tsx', 'package.json'), ...paths])}) fs.accessSync(p, fs.constants.R_OK);`;
  try {
    execFileSync(process.execPath, ['-e', check], { uid, gid: uid, cwd: repo, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
