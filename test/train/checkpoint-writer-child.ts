// Writes checkpoints to argv[2] in a loop, each a 4M-float tensor filled with its iteration number,
// so the parent can SIGKILL it mid-write and check that the file on disk is always a whole one.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { writeCheckpointFile } from '../../src/train/checkpoint-file.js';

const file = process.argv[2];
await tf.setBackend('cpu');
for (let i = 1; ; i++) {
  const t = tf.fill([4 * 1024 * 1024], i);
  await writeCheckpointFile(file, {
    state: { iteration: i },
    groups: { weights: { names: ['w'], tensors: [t] } },
  });
  t.dispose();
  process.stdout.write(`wrote ${i}\n`);
}
