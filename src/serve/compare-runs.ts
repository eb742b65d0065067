import { collectRuns, COMPARISON_ROWS } from '../report/compare.js';
import type { ChartSpec } from '../report/chart.js';
import { compareCurvesSpec } from './chart-specs.js';

export interface ComparisonRow {
  label: string;
  /** One value per run, in the order asked for. */
  values: Array<number | string | null>;
  /** Which way is better, for highlighting; null when the row has no direction. */
  better: 'min' | 'max' | null;
  digits: number | null;
}

export interface RunsComparison {
  runs: string[];
  rows: ComparisonRow[];
  /** Overlaid curves of the runs that have finished an epoch. */
  spec: ChartSpec | null;
}

/** The comparison report's table rows and curves for the dashboard, from the run folders. */
export async function compareRuns(runDirs: readonly string[]): Promise<RunsComparison> {
  const runs = await collectRuns(runDirs);
  const withHistory = runs.filter((r) => r.history.length > 0);
  return {
    runs: runs.map((r) => r.name),
    rows: COMPARISON_ROWS.map((row) => ({
      label: row.label,
      values: runs.map(row.value),
      better: row.better ?? null,
      digits: row.digits ?? null,
    })),
    spec: withHistory.length > 0 ? compareCurvesSpec(withHistory) : null,
  };
}
