// This CPU's arithmetic peak, for the "share of peak" figures. Measured by bench/peak/peak.c (all
// threads running independent FMA chains, and bf16 dot products where AVX512_BF16 exists), so the
// clock the CPU really runs at and its FMA width per cycle are in it: Zen 4 splits an AVX-512 FMA in
// two, Zen 5 and Intel do not, and a virtual machine reports its TSC, not its clock. Without a C
// compiler it falls back to cores × clock × FLOP per cycle (two full-width FMA units), with the clock
// from /proc/cpuinfo or VISIONLAB_CPU_GHZ.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Precision } from '../src/engine/precision.js';
import { buildOnce } from './build-once.js';

export interface CpuPeak {
  fp32Gflops: number;
  /** bf16 dot products (vdpbf16ps); absent where the CPU has no AVX512_BF16. AMX tiles are not measured. */
  bf16Gflops?: number;
  basis: string;
}

const SOURCE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'peak', 'peak.c');

function cpuInfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return ''; // not Linux: the clock from os.cpus() and AVX2 below
  }
}

const cpuFlags = (info: string): string => /^flags\s*:(.*)$/m.exec(info)?.[1] ?? '';

function nominalPeak(why: string): CpuPeak {
  const info = cpuInfo();
  const flags = cpuFlags(info);
  const mhz = Number(/^cpu MHz\s*:\s*([\d.]+)/m.exec(info)?.[1] ?? os.cpus()[0]?.speed ?? 0);
  const ghz = Number(process.env.VISIONLAB_CPU_GHZ ?? mhz / 1000);
  const avx512 = /\bavx512f\b/.test(flags);
  const perCycle = avx512 ? 64 : 32;
  const cores = os.availableParallelism();
  const guessed = !process.env.VISIONLAB_CPU_GHZ && /\bhypervisor\b/.test(flags);
  const clock = `${ghz.toFixed(2)} GHz${guessed ? ' (the clock a hypervisor reports; set VISIONLAB_CPU_GHZ)' : ''}`;
  const fp32Gflops = cores * ghz * perCycle;
  return {
    fp32Gflops,
    bf16Gflops: /\bavx512_bf16\b/.test(flags) ? 2 * fp32Gflops : undefined,
    basis: `nominal (${why}): ${cores} cores × ${clock} × ${perCycle} FLOP/cycle (${avx512 ? 'AVX-512' : 'AVX2'} FMA ×2)`,
  };
}

function measuredPeak(): CpuPeak {
  const binary = buildOnce(SOURCE, 'peak', 'gcc', ['-O3', '-fopenmp']);
  if (typeof binary !== 'string') return nominalPeak(binary.skipped);
  const threads = os.availableParallelism();
  let best = { fp32Gflops: 0, bf16Gflops: 0, isa: '' };
  // The best of three runs: a run that shares the machine with anything else only reads low.
  for (let i = 0; i < 3; i++) {
    const run = spawnSync(binary, [String(threads)], { encoding: 'utf8' });
    if (run.status !== 0) return nominalPeak(`bench/peak failed: ${(run.stderr ?? '').split('\n')[0]}`);
    const r = JSON.parse(run.stdout) as typeof best;
    best = {
      isa: r.isa,
      fp32Gflops: Math.max(best.fp32Gflops, r.fp32Gflops),
      bf16Gflops: Math.max(best.bf16Gflops, r.bf16Gflops),
    };
  }
  const amx = /\bamx_bf16\b/.test(cpuFlags(cpuInfo()))
    ? '; AMX tile products are faster and not measured'
    : '';
  return {
    fp32Gflops: best.fp32Gflops,
    bf16Gflops: best.bf16Gflops > 0 ? best.bf16Gflops : undefined,
    basis: `measured: ${threads} threads of independent ${best.isa} FMA chains${best.bf16Gflops > 0 ? ' and AVX512_BF16 dot products' : ''}${amx}`,
  };
}

let cached: CpuPeak | undefined;

/** Measured once per process. */
export function cpuPeak(): CpuPeak {
  cached ??= measuredPeak();
  return cached;
}

/** `gflops` as a share of the peak of the arithmetic `precision` runs on. */
export function shareOfPeak(gflops: number, precision: Precision, peak: CpuPeak): number {
  return gflops / (precision === 'bf16' ? (peak.bf16Gflops ?? 2 * peak.fp32Gflops) : peak.fp32Gflops);
}

/** Forward and training throughput as shares of the peak of `precision`. */
export function sharesOfPeak(
  t: { forwardGflops: number; trainGflops: number },
  precision: Precision,
  peak = cpuPeak(),
): { forward: number; train: number } {
  return {
    forward: shareOfPeak(t.forwardGflops, precision, peak),
    train: shareOfPeak(t.trainGflops, precision, peak),
  };
}
