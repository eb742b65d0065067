import { alexnetMini } from './bench-models.js';
import { compareBackends } from './compare-backends.js';
import type { ModelTiming } from './model-timing.js';
import type { BenchSection } from './sections.js';
import { torchAlexnetMini } from './torch-reference.js';

export const alexnetMiniSection: BenchSection = {
  name: 'alexnetMini',
  description: 'reduced AlexNet, 280×280×3, batch 16: forward and training step (Adam, binary cross-entropy)',
  async run(options) {
    return compareBackends(
      {
        build: alexnetMini,
        native: {
          inputShape: [280, 280, 3],
          batch: options.quick ? 4 : 16,
          warmup: 1,
          reps: options.quick ? 2 : 5,
        },
        cpu: { inputShape: [64, 64, 3], batch: 1 },
      },
      options,
    );
  },
};
