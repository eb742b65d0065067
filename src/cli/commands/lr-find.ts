import path from 'node:path';
import type { Command } from 'commander';
import { writeLrFindChart } from '../../report/lr-find-chart.js';
import {
  parseChoice,
  parsePositiveInt,
  parsePositiveNumber,
  resolveTrainConfig,
  type TrainFlags,
} from '../../flags/index.js';
import { lrFindForConfig } from '../../tune/lr-find-run.js';
import { LR_RULES } from '../../tune/lr-suggest.js';
import { addDataModelOptions, addFreezeOptions } from './data-model-options.js';

interface LrFindFlags extends TrainFlags {
  iterations?: string;
  startLr?: string;
  endLr?: string;
  rule?: string;
  output: string;
  json?: boolean;
}

export function registerLrFind(program: Command): void {
  const command = program
    .command('lr-find')
    .description(
      "fastai's learning-rate finder: an exponential ramp of rates over a few hundred batches, the smoothed loss against the rate, and a suggested rate",
    );
  addFreezeOptions(addDataModelOptions(command))
    .option('--iterations <n>', 'batches in the ramp (default 200)')
    .option('--start-lr <lr>', 'first rate of the ramp (default 1e-7)')
    .option('--end-lr <lr>', 'last rate of the ramp (default 10)')
    .option('--rule <rule>', `how to read the curve: ${LR_RULES.join(', ')} (default valley)`)
    .option('-o, --output <file>', 'the chart (a .png; an .svg is written beside it)', 'lr-find.png')
    .option('--json', 'print { "suggestion", "rule", "points": [...] }')
    .action(async (flags: LrFindFlags) => {
      const { iterations, startLr, endLr, rule, output, json, ...trainFlags } = flags;
      const chosenRule = rule === undefined ? undefined : parseChoice('--rule', rule, LR_RULES);
      const config = await resolveTrainConfig(trainFlags);
      const result = await lrFindForConfig(config, {
        iterations: iterations === undefined ? undefined : parsePositiveInt('--iterations', iterations),
        startLr: startLr === undefined ? undefined : parsePositiveNumber('--start-lr', startLr),
        endLr: endLr === undefined ? undefined : parsePositiveNumber('--end-lr', endLr),
        rule: chosenRule,
        log: (line) => console.error(line),
      });
      const base = output.replace(/\.(png|svg)$/i, '');
      await writeLrFindChart(base, result);
      if (json) {
        console.log(
          JSON.stringify({
            suggestion: result.suggestion,
            rule: result.rule,
            ruleDescription: result.ruleDescription,
            stoppedBy: result.stoppedBy,
            chart: path.resolve(`${base}.png`),
            points: result.points,
          }),
        );
        return;
      }
      console.log(`suggested learning rate: ${result.suggestion.toPrecision(3)}`);
      console.log(`rule: ${result.ruleDescription}`);
      console.log(
        `ramp: ${result.points.length} batches from ${result.points[0]?.learningRate.toPrecision(2)} to ${result.points.at(-1)?.learningRate.toPrecision(2)}, stopped by ${result.stoppedBy}`,
      );
      console.log(`chart: ${path.resolve(`${base}.png`)}`);
    });
}
