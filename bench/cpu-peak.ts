// This CPU's theoretical fp32 peak, for the "share of peak" figures: cores × clock × FLOP per cycle
// (two FMA units of 16 floats with AVX-512, of 8 with AVX2). The clock is /proc/cpuinfo's, or
// VISIONLAB_CPU_GHZ when the reported one is not the running one (virtual machines report the TSC).
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface CpuPeak {
  fp32Gflops: number;
  basis: string;
}

export function fp32Peak(): CpuPeak {
  let info = '';
  try {
    info = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // not Linux: the clock from os.cpus() and AVX2 below
  }
  const flags = /^flags\s*:(.*)$/m.exec(info)?.[1] ?? '';
  const mhz = Number(/^cpu MHz\s*:\s*([\d.]+)/m.exec(info)?.[1] ?? os.cpus()[0]?.speed ?? 0);
  const ghz = Number(process.env.VISIONLAB_CPU_GHZ ?? mhz / 1000);
  const avx512 = /\bavx512f\b/.test(flags);
  const perCycle = avx512 ? 64 : 32;
  const cores = os.availableParallelism();
  const guessed = !process.env.VISIONLAB_CPU_GHZ && /\bhypervisor\b/.test(flags);
  const clock = `${ghz.toFixed(2)} GHz${guessed ? ' (the clock a hypervisor reports; set VISIONLAB_CPU_GHZ)' : ''}`;
  return {
    fp32Gflops: cores * ghz * perCycle,
    basis: `${cores} cores × ${clock} × ${perCycle} FLOP/cycle (${avx512 ? 'AVX-512' : 'AVX2'} FMA ×2)`,
  };
}
