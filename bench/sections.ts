import { davitSection } from './davit.js';
import { fashionTransferSection } from './fashion-transfer.js';
import { alexnetMiniSection } from './alexnet-mini.bench.js';
import { dataDecodeSection } from './data-decode.js';
import { inceptionSection } from './inception.bench.js';
import { onnxruntimeSection } from './onnxruntime.bench.js';
import { frozenPrefixSection } from './frozen-prefix.js';
import { smallCnnFashionSection } from './small-cnn-fashion.bench.js';
import { fashionPrecisionSection } from './fashion-precision.js';
import { graphPlanSection } from './graph-plan.bench.js';

/** Options every section receives from `npm run bench`. */
export interface BenchOptions {
  /** Smaller sizes and fewer repetitions, for a quick look. */
  quick: boolean;
  /** Write progress lines here (stderr), never to stdout. */
  log: (line: string) => void;
}

/** One benchmark: `run` returns a JSON-serialisable object of figures, printed under `name`. */
export interface BenchSection {
  name: string;
  description: string;
  /** The backend the section measures: the runner switches to it first, and reports `skipped` when it cannot. */
  backend?: 'native';
  run(options: BenchOptions): Promise<Record<string, unknown>>;
}

/** Every section `npm run bench` runs, in order. Add yours with one line. */
export const sections: BenchSection[] = [
  alexnetMiniSection,
  smallCnnFashionSection,
  fashionPrecisionSection,
  inceptionSection,
  dataDecodeSection,
  davitSection,
  fashionTransferSection,
  onnxruntimeSection,
  frozenPrefixSection,
  graphPlanSection,
];
