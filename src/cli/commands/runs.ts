import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { openRunStore, type RunSummary } from '../../track/index.js';

function percent(value: number | null): string {
  return value === null ? '-' : `${(value * 100).toFixed(2)}%`;
}

function fixed(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(4);
}

function duration(seconds: number | null): string {
  if (seconds === null) return '-';
  return seconds < 60 ? `${seconds.toFixed(1)}s` : `${Math.floor(seconds / 60)}m${Math.round(seconds % 60)}s`;
}

function table(runs: RunSummary[]): string {
  const header = ['run', 'status', 'model', 'epochs', 'loss', 'best val acc', 'test acc', 'time', 'created'];
  const rows = runs.map((r) => [
    r.name,
    r.status,
    r.model ?? '-',
    String(r.epochsCompleted),
    fixed(r.lastEpoch?.loss),
    percent(r.bestValAccuracy),
    percent(r.testAccuracy),
    duration(r.durationSeconds),
    r.createdAt ? r.createdAt.replace('T', ' ').slice(0, 19) : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list the runs in a runs folder with their status and key metrics')
    .option('--runs-dir <dir>', 'the runs folder', 'runs')
    .option('--json', 'print the runs as a JSON array')
    .action(async (opts: { runsDir: string; json?: boolean }) => {
      if (!existsSync(opts.runsDir)) {
        // Listing never creates the folder: nothing trained there yet.
        console.log(opts.json ? '[]' : `no runs in ${path.resolve(opts.runsDir)}`);
        return;
      }
      const store = await openRunStore(opts.runsDir);
      try {
        const runs = store.list();
        if (opts.json) console.log(JSON.stringify(runs, null, 2));
        else if (runs.length === 0) console.log(`no runs in ${store.runsDir}`);
        else console.log(table(runs));
      } finally {
        store.close();
      }
    });
}
