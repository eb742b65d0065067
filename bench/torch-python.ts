// Runs a PyTorch reference script of bench/torch/ with Debian's python3-torch (/usr/bin/python3),
// in the same bench run as our figures. Returns the script's last JSON line, or why it was skipped.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lastJsonLine } from './child-output.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = process.env.VISIONLAB_TORCH_PYTHON ?? '/usr/bin/python3';

export type Skipped = { skipped: string };

/** Why Debian's python3-torch cannot run here, or undefined when it can. */
export function torchPythonUnavailable(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing (apt-get install python3-torch)`;
  const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) return 'python3-torch is not installed (apt-get install python3-torch)';
  return undefined;
}

/** Runs bench/torch/<script> with `args`; its stdout's last line is the JSON result. */
export function runTorchScript<T>(script: string, args: string[]): T | Skipped {
  const unavailable = torchPythonUnavailable();
  if (unavailable) return { skipped: unavailable };
  // The same OpenMP wait policy as the native backend uses (passive unless set), for a like-for-like run.
  const env = { ...process.env, OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'passive' };
  const run = spawnSync(PYTHON, [path.join(here, 'torch', script), ...args], { encoding: 'utf8', env });
  if (run.status !== 0) {
    const lines = (run.stderr ?? '').trim().split('\n');
    return { skipped: `the PyTorch reference failed: ${lines[lines.length - 1]}` };
  }
  return lastJsonLine<T>(run.stdout);
}
