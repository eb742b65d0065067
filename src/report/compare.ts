import { existsSync } from 'node:fs';
import path from 'node:path';
import { readRunFolder } from '../track/read-run-folder.js';
import { searchTrialDirs } from '../track/search-folder.js';
import { summarize } from '../track/summarize.js';
import type { EpochRecord } from '../train/types.js';
import { renderSvg, type ChartSpec } from './chart.js';
import { escapeHtml, formatNumber, htmlPage, svgImage } from './html.js';
import { countSavedParams } from './param-count.js';
import { runFile } from '../train/run-folder.js';

/** One run's line in a comparison. */
export interface RunComparison {
  name: string;
  dir: string;
  model: string | null;
  status: string;
  /** `H×W×C` the model takes. */
  inputSize: string | null;
  pretrained: string;
  frozen: string;
  params: number | null;
  epochs: number;
  restoredEpoch: number | null;
  bestValLoss: number | null;
  bestValAccuracy: number | null;
  testAccuracy: number | null;
  testMacroF1: number | null;
  testRocAuc: number | null;
  testLogLoss: number | null;
  trainingSeconds: number | null;
  history: EpochRecord[];
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * The history column of the main output's loss: `loss`, or for a model with auxiliary classifiers
 * (GoogLeNet) `<main>_loss`, since its `loss` adds the weighted auxiliary losses and would not compare.
 */
export function mainLossKey(history: readonly EpochRecord[]): string {
  const first = history[0];
  if (!first) return 'loss';
  return Object.keys(first).find((k) => k.endsWith('_loss') && !k.startsWith('val_')) ?? 'loss';
}

/** The history with `loss`/`val_loss` of the main output only, so that runs of any model compare like for like. */
function mainOutputHistory(history: EpochRecord[]): EpochRecord[] {
  const key = mainLossKey(history);
  if (key === 'loss') return history;
  return history.map((row) => ({ ...row, loss: row[key], val_loss: row[`val_${key}`] }));
}

function inputSizeOf(config: Record<string, unknown>): string | null {
  const shape = config.inputShape;
  return Array.isArray(shape) && shape.every((d) => typeof d === 'number') ? shape.join('×') : null;
}

function frozenOf(config: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof config.freezeUntil === 'number') parts.push(`first ${config.freezeUntil} layers`);
  if (typeof config.freezeNames === 'string') parts.push(`layers matching /${config.freezeNames}/`);
  if (typeof config.freezeStages === 'number') parts.push(`stem + ${config.freezeStages} stages`);
  if (typeof config.freezeBlocks === 'number') parts.push(`stem + ${config.freezeBlocks} blocks`);
  if (Array.isArray(config.freezeKinds)) parts.push(`every ${config.freezeKinds.join(', ')}`);
  return parts.length > 0 ? parts.join('; ') : 'none';
}

function minOf(history: readonly EpochRecord[], key: string): number | null {
  const values = history.map((r) => r[key]).filter((v) => Number.isFinite(v));
  return values.length > 0 ? Math.min(...values) : null;
}

/** Reads what the comparison needs from each run folder. */
export async function collectRuns(runDirs: readonly string[]): Promise<RunComparison[]> {
  // A freeze-point search stands for its trials, named `<search>/<trial>`.
  const expanded: Array<{ dir: string; name: string }> = [];
  for (const dir of runDirs) {
    const trials = existsSync(runFile(dir, 'config')) ? [] : await searchTrialDirs(dir);
    const search = path.basename(path.resolve(dir));
    if (trials.length === 0) expanded.push({ dir, name: search });
    else expanded.push(...trials.map((t) => ({ dir: t, name: `${search}/${path.basename(t)}` })));
  }
  return Promise.all(
    expanded.map(async ({ dir, name }) => {
      const run = await readRunFolder(dir);
      const s = summarize(name, dir, run);
      const metrics = run.metrics ?? {};
      const macro = (metrics.macro ?? {}) as Record<string, unknown>;
      const config = run.config ?? {};
      const history = mainOutputHistory(run.history);
      return {
        name,
        dir,
        model: s.model,
        status: s.status,
        inputSize: inputSizeOf(config),
        pretrained: typeof config.pretrained === 'string' ? config.pretrained : 'none',
        frozen: frozenOf(config),
        params: await countSavedParams(runFile(dir, 'model')),
        epochs: s.epochsCompleted,
        restoredEpoch: s.restoredEpoch,
        bestValLoss: minOf(history, 'val_loss'),
        bestValAccuracy: s.bestValAccuracy,
        testAccuracy: s.testAccuracy,
        testMacroF1: num(macro.f1),
        testRocAuc: num(metrics.rocAuc),
        testLogLoss: num(metrics.logLoss),
        trainingSeconds: s.durationSeconds,
        history,
      };
    }),
  );
}

/** Rows of the side-by-side table: label, value getter, and which direction is better (for highlighting). */
export const COMPARISON_ROWS: ReadonlyArray<{
  label: string;
  value: (r: RunComparison) => number | string | null;
  better?: 'min' | 'max';
  digits?: number;
}> = [
  { label: 'model', value: (r) => r.model },
  { label: 'status', value: (r) => r.status },
  { label: 'input size', value: (r) => r.inputSize },
  { label: 'pretrained weights', value: (r) => r.pretrained },
  { label: 'frozen', value: (r) => r.frozen },
  { label: 'parameters', value: (r) => r.params },
  { label: 'epochs trained', value: (r) => r.epochs },
  { label: 'restored epoch', value: (r) => r.restoredEpoch },
  { label: 'best validation loss', value: (r) => r.bestValLoss, better: 'min' },
  { label: 'best validation accuracy', value: (r) => r.bestValAccuracy, better: 'max' },
  { label: 'test accuracy', value: (r) => r.testAccuracy, better: 'max' },
  { label: 'test macro F1', value: (r) => r.testMacroF1, better: 'max' },
  { label: 'test ROC-AUC', value: (r) => r.testRocAuc, better: 'max' },
  { label: 'test log loss', value: (r) => r.testLogLoss, better: 'min' },
  { label: 'training time (s)', value: (r) => r.trainingSeconds, better: 'min', digits: 1 },
];

/** Indices of the best runs on a row (all ties); none when the row has no direction or all values are equal. */
function bestIndices(values: ReadonlyArray<number | string | null>, better?: 'min' | 'max'): Set<number> {
  const numbers = values.filter((v): v is number => typeof v === 'number');
  if (!better || numbers.length < 2) return new Set();
  const best = better === 'min' ? Math.min(...numbers) : Math.max(...numbers);
  if (numbers.every((v) => v === best)) return new Set();
  return new Set(values.flatMap((v, i) => (v === best ? [i] : [])));
}

/** Loss and accuracy per epoch of every run on shared axes: colour is the run, dashes are validation. */
export function overlaidCurvesSpec(runs: ReadonlyArray<Pick<RunComparison, 'name' | 'history'>>): ChartSpec {
  const panel = (title: string, key: string): object => {
    const values = runs.flatMap((r) =>
      r.history.flatMap((row) =>
        [
          { split: 'train', value: row[key] },
          { split: 'validation', value: row[`val_${key}`] },
        ]
          .filter((p) => typeof p.value === 'number' && Number.isFinite(p.value))
          .map((p) => ({ run: r.name, epoch: row.epoch, split: p.split, value: p.value })),
      ),
    );
    return {
      title,
      width: 360,
      height: 240,
      data: { values },
      mark: { type: 'line', point: { size: 18 } },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', axis: { format: 'd', tickMinStep: 1 } },
        y: { field: 'value', type: 'quantitative', title: key, scale: { zero: false } },
        color: {
          field: 'run',
          type: 'nominal',
          title: 'run',
          sort: runs.map((r) => r.name),
          legend: { symbolType: 'stroke' },
        },
        strokeDash: {
          field: 'split',
          type: 'nominal',
          title: null,
          legend: null,
          scale: {
            domain: ['train', 'validation'],
            range: [
              [1, 0],
              [6, 4],
            ],
          },
        },
        detail: { field: 'split' },
      },
    };
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Training curves', subtitle: 'solid: train · dashed: validation', anchor: 'start' },
    hconcat: [panel('Loss', 'loss'), panel('Accuracy', 'accuracy')],
    resolve: { scale: { y: 'independent' } },
  } as ChartSpec;
}

function cell(value: number | string | null, digits?: number): string {
  return typeof value === 'number' ? formatNumber(value, digits) : escapeHtml(value ?? '–');
}

/** The comparison page: side-by-side table (best value per row highlighted) and overlaid curves. */
export async function buildCompareHtml(runs: readonly RunComparison[]): Promise<string> {
  const head = `<tr><th></th>${runs.map((r) => `<th>${escapeHtml(r.name)}</th>`).join('')}</tr>`;
  const rows = COMPARISON_ROWS.map((row) => {
    const values = runs.map(row.value);
    const best = bestIndices(values, row.better);
    return `<tr><td><b>${escapeHtml(row.label)}</b></td>${values
      .map((v, i) => `<td${best.has(i) ? ' class="best"' : ''}>${cell(v, row.digits)}</td>`)
      .join('')}</tr>`;
  }).join('\n');
  const withHistory = runs.filter((r) => r.history.length > 0);
  const curves =
    withHistory.length > 0
      ? svgImage(await renderSvg(overlaidCurvesSpec(withHistory)), 'overlaid training curves')
      : '<p class="muted">No run has finished an epoch yet.</p>';
  const body = `<h1>Run comparison</h1>
<p class="muted">${runs.map((r) => escapeHtml(r.dir)).join(' · ')}</p>
<table><thead>${head}</thead><tbody>${rows}</tbody></table>
<p class="muted">Highlighted: the best value of each row.</p>
<h2>Training curves</h2>
${curves}`;
  return htmlPage('visionlab · run comparison', body);
}
