// Builds (once, into bench/out/) and runs the libtorch reference in bench/torch/, when Debian's
// libtorch-dev is installed. Returns undefined with a reason otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOnce } from './build-once.js';
import { lastJsonLine } from './child-output.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = path.join(here, 'torch', 'alexnet_mini.cpp');
const TORCH_INCLUDE = '/usr/include/torch/csrc/api/include';

export interface TorchTiming {
  torch: string;
  threads: number;
  batch: number;
  size: number;
  forwardMsPerImage: number;
  trainMsPerImage: number;
  forwardCpuMsPerImage: number;
  trainCpuMsPerImage: number;
  peakRssMiB: number;
}

function ensureBinary(log: (line: string) => void): string | { skipped: string } {
  if (!existsSync(TORCH_INCLUDE))
    return { skipped: 'libtorch-dev is not installed (apt-get install libtorch-dev)' };
  return buildOnce(
    SOURCE,
    'alexnet_mini_torch',
    'g++',
    ['-O2', '-std=c++17', `-I${TORCH_INCLUDE}`, '-ltorch', '-ltorch_cpu', '-lc10'],
    () => log('  building the libtorch reference (once; a few minutes)'),
  );
}

/** Times the reduced AlexNet in libtorch with all cores, as bench/torch/alexnet_mini.cpp does it. */
export function torchAlexnetMini(
  batch: number,
  size: number,
  reps: number,
  log: (line: string) => void,
): TorchTiming | { skipped: string } {
  const binary = ensureBinary(log);
  if (typeof binary !== 'string') return binary;
  const threads = os.availableParallelism();
  // The same OpenMP wait policy as the native backend uses (passive unless set), for a like-for-like run.
  const env = { ...process.env, OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'passive' };
  const run = spawnSync(binary, [batch, size, reps, threads].map(String), { encoding: 'utf8', env });
  if (run.status !== 0) return { skipped: `the reference failed: ${(run.stderr ?? '').split('\n')[0]}` };
  return lastJsonLine<TorchTiming>(run.stdout);
}
