import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, initBackend } from '../../engine/backend.js';
import { detectPrecisionSupport } from '../../engine/precision.js';
import { packageVersion } from '../../train/package-root.js';

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description(
      'show the active TensorFlow.js backend and why, thread count, versions, the ISA oneDNN uses and the precisions this CPU runs',
    )
    .option('--json', 'print one JSON object')
    .action(async (opts: { json?: boolean }) => {
      const backend = await initBackend();
      const support = detectPrecisionSupport();
      const info = {
        visionlab: packageVersion(),
        node: process.versions.node,
        tfjs: tf.version_core,
        backend: backend.name,
        reason: backend.reason,
        hint: backend.hint,
        skipped: backend.skipped,
        ...backend.details,
        onednnIsa: support.isa ?? 'none (the native addon is not loaded)',
        precisions: support.precisions.join(', '),
        bf16: support.bf16Missing ?? 'available (train --precision bf16)',
      };
      if (opts.json) {
        console.log(JSON.stringify(info, null, 2));
        return;
      }
      console.log(describeBackend(backend));
      for (const [key, value] of Object.entries(info)) {
        if (value === undefined || typeof value === 'object') continue;
        console.log(`${key.padEnd(12)} ${value}`);
      }
    });
}
