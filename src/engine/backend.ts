import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import os from 'node:os';
import { VisionlabError } from '../errors.js';
import { registerNativeBackend } from './native/index.js';
import { prepareWasmBackend } from './wasm-setup.js';

export const BACKEND_ORDER = ['native', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];

export interface BackendInfo {
  name: BackendName;
  /** Why this backend is active, in one sentence. */
  reason: string;
  /** How to get the fast one, when the active one is not `native`. */
  hint?: string;
  /** Why each faster backend was passed over. */
  skipped: Partial<Record<BackendName, string>>;
  details: Record<string, string>;
}

const FAST_HINT =
  'For the fast `native` backend install oneDNN and OpenBLAS (`apt-get install libdnnl-dev libopenblas-dev`) and run `npm rebuild visionlab` (or `bash scripts/setup.sh`).';

type Attempt = { ok: true; details: Record<string, string> } | { ok: false; reason: string };

async function tryTensorflow(): Promise<Attempt> {
  const moduleName = '@tensorflow/tfjs-node';
  try {
    await import(moduleName);
    return { ok: true, details: {} };
  } catch {
    return { ok: false, reason: '@tensorflow/tfjs-node is not installed' };
  }
}

async function tryWasm(): Promise<Attempt> {
  try {
    await prepareWasmBackend();
    return { ok: true, details: {} };
  } catch (err) {
    return { ok: false, reason: `the wasm backend failed to load (${(err as Error).message})` };
  }
}

async function attempt(name: BackendName): Promise<Attempt> {
  switch (name) {
    case 'native':
      return registerNativeBackend();
    case 'tensorflow':
      return tryTensorflow();
    case 'wasm':
      return tryWasm();
    case 'cpu':
      return { ok: true, details: {} };
  }
}

let active: BackendInfo | undefined;

/** The CPU backend advertises tfjs-node on first use; our own line already says which backend runs and why. */
function silenceTfjsNodeAdvice(): void {
  // The cpu backend too: code may switch to it later (comparisons, a fallback for training).
  for (const backend of [tf.backend(), tf.findBackend('cpu')]) {
    const advising = backend as unknown as { firstUse?: boolean } | null;
    if (advising && 'firstUse' in advising) advising.firstUse = false;
  }
}

function parseOverride(value: string | undefined): BackendName | undefined {
  if (!value) return undefined;
  const name = value.trim().toLowerCase();
  if ((BACKEND_ORDER as readonly string[]).includes(name)) return name as BackendName;
  throw new VisionlabError(
    `VISIONLAB_BACKEND=${value} is not a backend visionlab knows.`,
    `Use one of: ${BACKEND_ORDER.join(', ')}, or unset it to pick the fastest available.`,
  );
}

/**
 * Picks the compute backend once per process: `native`, else `tensorflow` (tfjs-node), else `wasm`,
 * else `cpu`. `VISIONLAB_BACKEND` (or `preferred`) forces one.
 */
export async function initBackend(preferred?: BackendName): Promise<BackendInfo> {
  if (active) return active;
  const forced = preferred ?? parseOverride(process.env.VISIONLAB_BACKEND);
  const candidates = forced ? [forced] : [...BACKEND_ORDER];
  const skipped: BackendInfo['skipped'] = {};
  for (const name of candidates) {
    const result = await attempt(name);
    if (!result.ok) {
      skipped[name] = result.reason;
      continue;
    }
    const ok = await tf.setBackend(name);
    if (!ok) {
      skipped[name] = `tf.setBackend('${name}') failed`;
      continue;
    }
    await tf.ready();
    silenceTfjsNodeAdvice();
    const reason = forced
      ? `chosen by ${preferred ? 'the caller' : 'VISIONLAB_BACKEND'}`
      : name === 'native'
        ? 'the native addon (oneDNN + OpenBLAS) loaded'
        : `the faster backends are unavailable`;
    active = {
      name,
      reason,
      hint: name === 'native' ? undefined : FAST_HINT,
      skipped,
      details: { threads: String(os.availableParallelism()), ...result.details },
    };
    return active;
  }
  const why = Object.entries(skipped)
    .map(([n, r]) => `${n}: ${r}`)
    .join('; ');
  throw new VisionlabError(`No TensorFlow.js backend could start (${why}).`, FAST_HINT);
}

/** The one line that says which backend is active and how to get the fast one. */
export function describeBackend(info: BackendInfo): string {
  const skipped = Object.entries(info.skipped)
    .map(([n, r]) => `${n}: ${r}`)
    .join('; ');
  const line = `backend: ${info.name} (${info.reason}${skipped ? `; ${skipped}` : ''})`;
  return info.hint ? `${line}. ${info.hint}` : line;
}
