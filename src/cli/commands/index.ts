import type { Command } from 'commander';
import { registerData } from './data.js';
import { registerCompare } from './compare.js';
import { registerEvaluate } from './evaluate.js';
import { registerExplain } from './explain.js';
import { registerInfo } from './info.js';
import { registerPredict } from './predict.js';
import { registerReport } from './report.js';
import { registerRuns } from './runs.js';
import { registerServe } from './serve.js';
import { registerTrain } from './train.js';
import { registerModels } from './models.js';
import { registerSummary } from './summary.js';
import { registerDiagram } from './diagram.js';
import { registerExport } from './export.js';
import { registerLrFind } from './lr-find.js';
import { registerFreezeSearch } from './freeze-search.js';

/** Every command of the CLI, one registration function per file. */
export const commands: Array<(program: Command) => void> = [
  registerInfo,
  registerRuns,
  registerServe,
  registerTrain,
  registerLrFind,
  registerFreezeSearch,
  registerEvaluate,
  registerPredict,
  registerExplain,
  registerReport,
  registerCompare,
  registerData,
  registerModels,
  registerSummary,
  registerDiagram,
  registerExport,
];
