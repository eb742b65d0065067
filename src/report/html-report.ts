import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readRunFolder } from '../track/read-run-folder.js';
import { summarize } from '../track/summarize.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { renderSvg } from './chart.js';
import { curvesSpec } from './curves.js';
import { escapeHtml, formatNumber, htmlPage, keyValueTable, pngImage, svgImage, table } from './html.js';
import { modelSummaryText } from './model-summary.js';
import { runFile } from '../train/run-folder.js';

export interface ReportOptions {
  /** Load the saved model to print its layer summary. Default true. */
  modelSummary?: boolean;
}

async function readOptional(file: string): Promise<Buffer | undefined> {
  return fs.readFile(file).catch(() => undefined);
}

async function chartImage(runDir: string, base: string, alt: string): Promise<string> {
  const svg = await readOptional(path.join(runDir, `${base}.svg`));
  if (svg) return svgImage(svg.toString('utf8'), alt);
  const png = await readOptional(path.join(runDir, `${base}.png`));
  return png ? pngImage(png, alt) : '';
}

type Json = Record<string, unknown>;

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function metricsSection(metrics: Json): string {
  const perClass = Array.isArray(metrics.perClass) ? (metrics.perClass as Json[]) : [];
  const macro = obj(metrics.macro);
  const weighted = obj(metrics.weighted);
  const summary = keyValueTable([
    ['evaluated on', metrics.source],
    ['examples', formatNumber(metrics.numExamples)],
    ['unreadable (skipped)', formatNumber(metrics.skipped)],
    ['accuracy', formatNumber(metrics.accuracy)],
    ['log loss', formatNumber(metrics.logLoss)],
    ['ROC-AUC', formatNumber(metrics.rocAuc)],
    ['PR-AUC (average precision)', formatNumber(metrics.prAuc)],
    ['evaluated at', metrics.evaluatedAt],
  ]);
  const row = (name: string, m: Json, support: unknown) => [
    escapeHtml(name),
    formatNumber(m.precision),
    formatNumber(m.recall),
    formatNumber(m.f1),
    formatNumber(support),
    formatNumber(m.rocAuc),
    formatNumber(m.prAuc),
  ];
  const total = perClass.reduce((s, c) => s + (typeof c.support === 'number' ? c.support : 0), 0);
  const classTable = table(
    ['class', 'precision', 'recall', 'F1', 'support', 'ROC-AUC', 'PR-AUC'],
    [
      ...perClass.map((c) => row(String(c.className), c, c.support)),
      row('macro avg', macro, total),
      row('weighted avg', weighted, total),
    ],
  );
  const thresholds = obj(metrics.thresholds);
  let thresholdHtml = '';
  if (metrics.thresholds) {
    const f1 = obj(thresholds.bestF1);
    const youden = obj(thresholds.youden);
    thresholdHtml = `<h3>Decision thresholds for "${escapeHtml(thresholds.positiveClass)}"</h3>${table(
      ['criterion', 'threshold', 'value', 'details'],
      [
        [
          'best F1',
          formatNumber(f1.threshold),
          formatNumber(f1.f1),
          `precision ${formatNumber(f1.precision)}, recall ${formatNumber(f1.recall)}`,
        ],
        [
          "Youden's J",
          formatNumber(youden.threshold),
          formatNumber(youden.j),
          `TPR ${formatNumber(youden.tpr)}, FPR ${formatNumber(youden.fpr)}`,
        ],
      ],
    )}`;
  }
  return `${summary}<h3>Per class</h3>${classTable}${thresholdHtml}`;
}

function datasetSection(dataset: Json): string {
  const classNames = Array.isArray(dataset.classNames) ? (dataset.classNames as string[]) : [];
  const splits = obj(dataset.splits);
  const names = Object.keys(splits);
  // perClass is keyed by class name (as training writes it); a plain array in class order is accepted too.
  const countOf = (split: string, name: string): unknown => {
    const perClass = obj(splits[split]).perClass;
    return Array.isArray(perClass) ? perClass[classNames.indexOf(name)] : obj(perClass)[name];
  };
  const rows = classNames.map((name) => [
    escapeHtml(name),
    ...names.map((split) => formatNumber(countOf(split, name))),
  ]);
  rows.push(['<b>total</b>', ...names.map((s) => formatNumber(obj(splits[s]).count))]);
  return `${keyValueTable([
    ['source', dataset.source],
    ['classes', classNames.join(', ')],
    ['image shape', Array.isArray(dataset.imageShape) ? dataset.imageShape.join(' × ') : dataset.imageShape],
    ['color mode', dataset.colorMode],
  ])}${names.length > 0 ? table(['class', ...names], rows) : ''}`;
}

function historyTable(history: ReadonlyArray<Record<string, number>>, restoredEpoch: number | null): string {
  if (history.length === 0) return '';
  const columns = Object.keys(history[0]);
  const rows = history.map((r) =>
    columns.map((c) =>
      c === 'epoch' && r.epoch === restoredEpoch
        ? `<b>${r.epoch} (restored)</b>`
        : formatNumber(r[c], c === 'lr' ? 6 : 4),
    ),
  );
  return table(columns, rows);
}

/** Builds the run's self-contained `report.html`: config, dataset, model, curves, test metrics and charts. */
export async function buildReportHtml(runDir: string, options: ReportOptions = {}): Promise<string> {
  const run = await readRunFolder(runDir);
  const name = path.basename(path.resolve(runDir));
  const summary = summarize(name, runDir, run);
  const datasetText = await readOptional(runFile(runDir, 'dataset'));
  let dataset: Json = {};
  try {
    dataset = datasetText ? obj(JSON.parse(datasetText.toString('utf8'))) : {};
  } catch {
    dataset = {};
  }
  const sections: string[] = [];
  sections.push(
    `<h1>${escapeHtml(name)}</h1><p class="muted">visionlab run report · ${escapeHtml(summary.model ?? 'unknown model')} · ${escapeHtml(summary.status)}</p>`,
    keyValueTable([
      ['model', summary.model],
      ['status', summary.status],
      ['started', summary.startedAt],
      ['ended', summary.endedAt],
      [
        'training time',
        summary.durationSeconds === null ? null : `${formatNumber(summary.durationSeconds, 1)} s`,
      ],
      ['epochs completed', summary.epochsCompleted],
      ['restored epoch', summary.restoredEpoch],
      ['best validation loss', formatNumber(summary.bestValLoss)],
      ['best validation accuracy', formatNumber(summary.bestValAccuracy)],
      ['test accuracy', formatNumber(summary.testAccuracy)],
      ['backend', run.config?.backend],
    ]),
  );

  let curves = await chartImage(runDir, 'curves', 'training curves');
  if (!curves && run.history.length > 0) {
    curves = svgImage(
      await renderSvg(curvesSpec(run.history, { restoredEpoch: summary.restoredEpoch ?? undefined })),
      'training curves',
    );
  }
  sections.push(
    '<h2 id="training">Training</h2>',
    curves || '<p class="muted">No epoch finished yet.</p>',
    historyTable(run.history, summary.restoredEpoch),
  );

  sections.push('<h2 id="evaluation">Test evaluation</h2>');
  if (run.metrics) {
    const charts = await Promise.all([
      chartImage(runDir, 'confusion', 'confusion matrix'),
      chartImage(runDir, 'roc', 'ROC curve'),
      chartImage(runDir, 'pr', 'precision-recall curve'),
    ]);
    const misclassified = await readOptional(path.join(runDir, 'misclassified.png'));
    sections.push(
      metricsSection(run.metrics),
      `<div class="charts">${charts.join('')}</div>`,
      misclassified
        ? `<h3>Misclassified test images</h3>${pngImage(misclassified, 'misclassified test images')}`
        : '',
    );
  } else {
    sections.push(
      `<p class="muted">Not evaluated yet: run <code>visionlab evaluate ${escapeHtml(runDir)}</code>.</p>`,
    );
  }

  sections.push(
    '<h2 id="dataset">Dataset</h2>',
    datasetText ? datasetSection(dataset) : '<p class="muted">No dataset.json.</p>',
  );

  if (options.modelSummary ?? true) {
    const model = run.hasModel ? await modelSummaryText(runDir) : { text: 'No saved model yet.' };
    sections.push('<h2 id="model">Model</h2>', `<pre>${escapeHtml(model.text)}</pre>`);
  }

  sections.push(
    '<h2 id="config">Configuration</h2>',
    run.config ? keyValueTable(Object.entries(run.config)) : '<p class="muted">No config.json.</p>',
  );
  return htmlPage(`${name} · visionlab report`, sections.join('\n'));
}

/** Writes `report.html` into the run folder (atomically) and returns its path. */
export async function writeReport(runDir: string, options: ReportOptions = {}): Promise<string> {
  const file = runFile(runDir, 'report');
  await writeFileAtomic(file, await buildReportHtml(runDir, options));
  return file;
}
