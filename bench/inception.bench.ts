import { inceptionModule } from './bench-models.js';
import { compareBackends } from './compare-backends.js';
import type { BenchSection } from './sections.js';

export const inceptionSection: BenchSection = {
  name: 'inception',
  description: 'one GoogLeNet Inception module, 35×35×192, batch 16 (plus a small head for training)',
  async run(options) {
    return compareBackends(
      {
        build: inceptionModule,
        native: { inputShape: [35, 35, 192], batch: 16, warmup: 1, reps: options.quick ? 2 : 5 },
        cpu: { inputShape: [17, 17, 192], batch: 1 },
      },
      options,
    );
  },
};
