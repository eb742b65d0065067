import path from 'node:path';
import type { Command } from 'commander';
import { VisionlabError } from '../../errors.js';
import { writeCurves } from '../../report/curves.js';
import { writeFreezeSearchChart } from '../../report/freeze-search-chart.js';
import {
  parseChoice,
  parseNumber,
  parsePositiveInt,
  resolveTrainConfig,
  type TrainFlags,
} from '../../flags/index.js';
import { trainRun } from '../../train/run-training.js';
import { bestFreezeConfig, freezeSearch, SEARCH_STRATEGIES as STRATEGIES } from '../../tune/freeze-search.js';
import { ProcessExecutor } from '../../tune/process-executor.js';
import { formatFreezeSearchTable } from '../../tune/search-table.js';
import { addDataModelOptions } from './data-model-options.js';
import { evaluateAndReport } from '../finish-run.js';

interface FreezeSearchFlags extends TrainFlags {
  candidates?: string;
  budget?: string;
  eta?: string;
  strategy?: string;
  rank?: string;
  rankKeep?: string;
  executor?: string;
  thenTrain?: boolean;
  json?: boolean;
}

const MODES = ['stages', 'blocks', 'auto'] as const;
const RANKINGS = ['auto-rgn'] as const;
const EXECUTORS = ['in-process', 'process'] as const;

export function registerFreezeSearch(program: Command): void {
  const command = program
    .command('freeze-search')
    .description(
      'which layers to freeze, measured: short fine-tunes at stage or block boundaries (head-only and full fine-tuning included) under successive halving',
    );
  addDataModelOptions(command)
    .option('--candidates <where>', 'cut at stages, blocks or auto (default auto)')
    .option('--budget <epochs>', 'epochs of the longest trial; the first rung trains 1 epoch (default 4)')
    .option('--eta <n>', 'keep the better 1/eta of the trials per rung (default 2)')
    .option(
      '--strategy <s>',
      'fixed (train at the freeze point), lp-ft (train the head first, then fine-tune at the freeze point) or gradual (the head first, then unfreeze stage by stage down to the freeze point, each stage below at the rate above ÷2.6); default fixed',
    )
    .option(
      '--rank <how>',
      'auto-rgn: score the cuts by relative gradient norm on a few batches first and search only the best (Lee et al. 2023)',
    )
    .option('--rank-keep <n>', 'cuts kept by --rank, full fine-tuning and head-only besides (default half)')
    .option(
      '--executor <where>',
      'in-process (default) or process: each trial in a worker process of its own, so a crash costs one trial',
    )
    .option('--learning-rate <lr>', 'learning rate of every trial')
    .option('--epochs <n>', 'maximum epochs of the --then-train run (default 15)')
    .option(
      '--early-stopping <opts>',
      'early stopping of the --then-train run (default patience=3,restore-best)',
    )
    .option('--runs-dir <dir>', 'where the search folder goes (default ./runs)')
    .option('--name <name>', 'search name: its folder in the runs folder (default <model>-freeze-search)')
    .option('--then-train', 'continue the best freeze point into a full run with early stopping')
    .option('--json', 'print { "candidates": [...], "best": ... }')
    .action(async (flags: FreezeSearchFlags) => {
      const {
        candidates,
        budget,
        eta,
        strategy,
        rank,
        rankKeep,
        executor,
        thenTrain,
        json,
        name,
        ...trainFlags
      } = flags;
      const where = candidates === undefined ? undefined : parseChoice('--candidates', candidates, MODES);
      const how = strategy === undefined ? undefined : parseChoice('--strategy', strategy, STRATEGIES);
      const ranking = rank === undefined ? undefined : parseChoice('--rank', rank, RANKINGS);
      const runIn = executor === undefined ? undefined : parseChoice('--executor', executor, EXECUTORS);
      const config = await resolveTrainConfig(trainFlags);
      if (config.learningRate === 'auto') {
        throw new VisionlabError(
          'freeze-search takes a numeric --learning-rate',
          'Find one with `visionlab lr-find`.',
        );
      }
      const result = await freezeSearch(config, {
        candidates: where,
        budget: budget === undefined ? undefined : parsePositiveInt('--budget', budget),
        eta: eta === undefined ? undefined : parseNumber('--eta', eta),
        name,
        strategy: how,
        rank: ranking,
        executor:
          runIn === 'process' ? new ProcessExecutor({ log: (line) => console.error(line) }) : undefined,
        rankKeep: rankKeep === undefined ? undefined : parsePositiveInt('--rank-keep', rankKeep),
        log: (line) => console.error(line),
      });
      const chart = path.join(result.dir, 'freeze-search');
      await writeFreezeSearchChart(chart, result);
      let bestRun: string | undefined;
      if (thenTrain) {
        const run = await trainRun(bestFreezeConfig(config, result), {
          writeCurves,
          log: (line) => console.error(line),
        });
        await evaluateAndReport(run.runDir, (run.config.testSplit ?? 0) > 0, (line) => console.error(line));
        bestRun = run.runDir;
      }
      if (json) {
        const { candidates: rows, best } = result;
        const strip = ({ freezeConfig: _f, runDir: _r, ...row }: (typeof rows)[number]) => row;
        console.log(
          JSON.stringify({
            candidates: rows.map(strip),
            best: strip(best),
            search: result.dir,
            reused: result.reused,
            ...(result.ranking ? { ranking: result.ranking } : {}),
            ...(bestRun ? { bestRun } : {}),
          }),
        );
        return;
      }
      console.log(formatFreezeSearchTable(result));
      console.log(`search folder: ${result.dir} (compare the trials: visionlab compare ${result.dir}/r*)`);
      console.log(`chart: ${chart}.png`);
      if (bestRun) console.log(`best freeze point trained: ${bestRun}`);
    });
}
