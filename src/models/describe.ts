import { modelStats } from './stats.js';
import { formatFlops } from './summary.js';
import { formatTable } from '../util/text-table.js';
import type { ModelAbout, ModelSpec, PretrainedWeights } from './types.js';

/** What `visionlab models` shows about a zoo entry. */
export interface ModelInfo {
  name: string;
  family: string;
  description: string;
  /** Parameters and forward FLOPs (a multiply-add counts 2) at the default input with the default top. */
  params: number;
  flops: number;
  inputShape: [number, number, number];
  preprocessing: string;
  pretrained: PretrainedWeights[];
  pretrainedNote?: string;
  about?: ModelAbout;
}

export function modelInfo(spec: ModelSpec): ModelInfo {
  const stats = modelStats(spec);
  return {
    name: spec.name,
    family: spec.family,
    description: spec.description,
    params: stats.params,
    flops: stats.flops,
    inputShape: spec.defaultInputShape,
    preprocessing: spec.preprocessing,
    pretrained: spec.pretrained ?? [],
    ...(spec.pretrainedNote ? { pretrainedNote: spec.pretrainedNote } : {}),
    ...(spec.about ? { about: spec.about } : {}),
  };
}

/** `imagenet`, `nsfwjs (bundled)`, or `-`. */
export function pretrainedTags(info: ModelInfo): string {
  if (info.pretrained.length === 0) return '-';
  return info.pretrained.map((w) => (w.layout === 'tfjs-bundled' ? `${w.tag} (bundled)` : w.tag)).join(', ');
}

/** The best published ImageNet top-1 of the model's weights, `-` if none. */
export function bestTop1(info: ModelInfo): string {
  const top = info.pretrained.map((w) => w.top1).filter((t): t is number => t !== null);
  return top.length ? `${Math.max(...top).toFixed(1)}%` : '-';
}

/** Download size of the first downloadable weights: `≈94.4 MB`, `offline` when bundled, `-` when none. */
export function downloadSize(info: ModelInfo): string {
  const first = info.pretrained[0];
  if (!first) return '-';
  return first.layout === 'tfjs-bundled' ? 'offline' : `≈${first.downloadMB.toFixed(1)} MB`;
}

function weightsLines(w: PretrainedWeights): string[] {
  const top1 =
    w.top1 === null ? `no ImageNet top-1 (${w.top1Source})` : `${w.top1}% ImageNet top-1 (${w.top1Source})`;
  const where =
    w.layout === 'tfjs-bundled'
      ? `bundled, works offline: ${w.fileName}`
      : `${w.url}, ≈${w.downloadMB.toFixed(1)} MB, ${w.includeTop ? 'with' : 'without'} the ImageNet top`;
  const digest = w.checksum
    ? `${w.checksum.algorithm} ${w.checksum.digest}`
    : `no checksum: ${w.checksumNote ?? 'none published'}`;
  return [
    `  pretrained "${w.tag}": ${top1}`,
    `    ${where}`,
    `    ${digest}; preprocessing ${w.preprocessing}; ${w.license}; ${w.origin}`,
  ];
}

/** The few lines `visionlab models NAME` prints: what the family introduced, its paper, size, cost, accuracy and stages. */
export function formatModelInfo(info: ModelInfo): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const lines = [`${info.name} — ${info.family}: ${info.description}`];
  if (info.about) {
    lines.push(`  ${info.about.year}, ${info.about.paper}`);
    lines.push(`  introduced: ${info.about.introduced}`);
  }
  lines.push(
    `  parameters: ${n(info.params)}; FLOPs ${formatFlops(info.flops)} (${formatFlops(info.flops / 2)} multiply-adds) at ${info.inputShape.join('x')}`,
  );
  lines.push(`  input: ${info.inputShape.join('x')}, preprocessing ${info.preprocessing}`);
  if (info.about) lines.push(`  stages: ${info.about.stages}`);
  for (const w of info.pretrained) lines.push(...weightsLines(w));
  if (info.pretrained.length === 0) {
    lines.push(
      `  pretrained: none published${info.pretrainedNote ? `: ${info.pretrainedNote}` : ' (random initial weights)'}`,
    );
  }
  return lines.join('\n');
}

/** The zoo as a text table, one model a line: parameters, FLOPs, input, preprocessing, weights, top-1, download. */
export function formatModelTable(infos: readonly ModelInfo[]): string {
  const header = [
    'name',
    'family',
    'parameters',
    'FLOPs',
    'input',
    'preprocessing',
    'pretrained',
    'top-1',
    'download',
  ];
  const rows = infos.map((r) => [
    r.name,
    r.family,
    r.params.toLocaleString('en-US'),
    formatFlops(r.flops),
    r.inputShape.join('x'),
    r.preprocessing,
    pretrainedTags(r),
    bestTop1(r),
    downloadSize(r),
  ]);
  return formatTable([header, ...rows], new Set([2, 3, 7, 8]));
}
