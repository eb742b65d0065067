import type { Command } from 'commander';
import { formatRunsTable, listRuns } from '../../track/index.js';

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list the runs in a runs folder with their status and key metrics')
    .option('--runs-dir <dir>', 'the runs folder', 'runs')
    .option('--json', 'print the runs as a JSON array')
    .action(async (opts: { runsDir: string; json?: boolean }) => {
      const { runsDir, runs } = await listRuns(opts.runsDir);
      if (opts.json) console.log(JSON.stringify(runs, null, 2));
      else if (runs.length === 0) console.log(`no runs in ${runsDir}`);
      else console.log(formatRunsTable(runs));
    });
}
