import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { writeCurves } from '../../report/curves.js';
import { resolveRunToResume, resolveTrainConfig, resumeConfig, type TrainFlags } from '../../flags/index.js';
import { CALLBACK_FLAGS } from '../../train/callbacks/registry.js';
import { trainRun } from '../../train/run-training.js';
import { lrFindHook } from '../../tune/lr-find-run.js';
import { writeLrFindChart } from '../../report/lr-find-chart.js';
import { printable } from '../../util/printable.js';
import { evaluateAndReport } from '../finish-run.js';
import { addDataModelOptions, addFreezeOptions } from './data-model-options.js';

/** One `key=value,…` option per callback of the registry (`--early-stopping`, `--reduce-lr`, …). */
function addCallbackOptions(command: Command): Command {
  for (const flag of CALLBACK_FLAGS) command.option(`${flag.name} <opts>`, flag.help);
  return command;
}

export function registerTrain(program: Command): void {
  const command = program
    .command('train')
    .description('train an image classifier on class-per-folder images and write a run folder');
  addCallbackOptions(addFreezeOptions(addDataModelOptions(command)))
    .option('--epochs <n>', 'maximum number of epochs (default 15)')
    .option(
      '--learning-rate <lr>',
      "initial learning rate, or auto for the learning-rate finder's suggestion (default: the optimizer's Keras default)",
    )
    .option('--runs-dir <dir>', 'where run folders go (default ./runs)')
    .option('--name <name>', 'run folder name (default <model>-<YYYYMMDD-HHMMSS>)')
    .option('--augment <list>', 'augmentations, e.g. flip,rotate=0.1,zoom=0.1')
    .option('--no-checkpoint', 'do not write checkpoint/ (no resume after an interruption)')
    .option('--no-evaluate', 'skip the test-split evaluation and the report at the end')
    .option('--progress <mode>', 'bar, epoch (one line per epoch), none or auto (default)')
    .option(
      '--precision <p>',
      'fp32 (default) or bf16: mixed precision (bf16 matrix products and convolutions, fp32 weights, loss and optimizer) where the CPU has AVX512_BF16 or AMX',
    )
    .option('--resume <run>', 'continue an interrupted run (its folder, or its name in --runs-dir)')
    .action(async (flags: TrainFlags & { resume?: string }) => {
      const hooks = {
        writeCurves,
        findLearningRate: lrFindHook({
          writeChart: (runDir, found) => writeLrFindChart(path.join(runDir, 'lr-find'), found),
        }),
      };
      let result;
      if (flags.resume) {
        const runDir = resolveRunToResume(flags.resume, flags.runsDir ?? 'runs');
        const config = await resumeConfig(runDir, flags);
        result = await trainRun(config, hooks, runDir);
      } else {
        const config = await resolveTrainConfig(flags);
        result = await trainRun(config, hooks);
      }
      const last = result.history[result.history.length - 1];
      if (result.stopReason === 'interrupted') {
        console.log(
          `interrupted: checkpoint written; continue with: visionlab train --resume ${result.runDir}`,
        );
        throw new CommanderError(130, 'visionlab.interrupted', '');
      }
      const summary = last
        ? Object.entries(last)
            .filter(([k]) => k !== 'epoch')
            .map(([k, v]) => `${k} ${Number(v).toPrecision(4)}`)
            .join(', ')
        : '';
      const restored = result.restoredEpoch ? ` (weights of epoch ${result.restoredEpoch} restored)` : '';
      console.log(`done: ${result.history.length} epochs${restored}; last epoch: ${summary}`);
      if (result.config.evaluate) await evaluateAndReport(result.runDir, (result.config.testSplit ?? 0) > 0);
      console.log(`run folder: ${printable(result.runDir)}`);
    });
}
