import type { ModelStructure } from './structure.js';

const grouped = (n: number): string => n.toLocaleString('en-US');

/** `0–79`, `0–12, 40–50`: runs of consecutive indices. */
export function formatIndexRanges(indices: number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < indices.length;) {
    let j = i;
    while (j + 1 < indices.length && indices[j + 1] === indices[j] + 1) j++;
    runs.push(i === j ? `${indices[i]}` : `${indices[i]}–${indices[j]}`);
    i = j + 1;
  }
  return runs.length > 4 ? `${runs.slice(0, 3).join(', ')}, … (${runs.length} runs)` : runs.join(', ');
}

const joinWords = (items: string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;

const span = (what: string, from: number, to: number): string =>
  from === to ? `${what} ${from}` : `${what}s ${from}–${to}`;

/** The stem, the whole stages and the whole blocks that the frozen layers cover: "the stem, stage 1 and part of stage 2". */
export function describeCoverage(structure: ModelStructure, frozen: Set<number>): string {
  if (structure.family === null) return '';
  const all = (pred: (l: ModelStructure['layers'][number]) => boolean): boolean | null => {
    const ls = structure.layers.filter(pred);
    if (ls.length === 0) return null;
    return ls.every((l) => frozen.has(l.index));
  };
  const some = (pred: (l: ModelStructure['layers'][number]) => boolean): boolean =>
    structure.layers.some((l) => pred(l) && frozen.has(l.index));
  const parts: string[] = [];
  if (all((l) => l.part === 'stem')) parts.push('the stem');
  else if (some((l) => l.part === 'stem')) parts.push('part of the stem');
  let fullFrom = 0;
  let fullTo = 0;
  const flush = () => {
    if (fullFrom) parts.push(span('stage', fullFrom, fullTo));
    fullFrom = fullTo = 0;
  };
  for (let s = 1; s <= structure.stages; s++) {
    const inStage = (l: ModelStructure['layers'][number]) => l.part === 'stage' && l.stage === s;
    if (all(inStage)) {
      if (!fullFrom) fullFrom = s;
      fullTo = s;
      continue;
    }
    flush();
    if (!some(inStage)) continue;
    // Whole blocks from the stage's start (with its entry), or only part of the stage.
    const frozenHere = structure.layers.filter((l) => inStage(l) && frozen.has(l.index));
    const k = Math.max(...frozenHere.map((l) => l.block!));
    const exact = all((l) => inStage(l) && l.block! <= k);
    parts.push(exact && k > 0 ? `${span('block', 1, k)} of stage ${s}` : `part of stage ${s}`);
  }
  flush();
  if (all((l) => l.part === 'top') && parts.length > 0) parts.push('the top');
  return joinWords(parts);
}

export interface FreezeCounts {
  frozenParams: number;
  totalParams: number;
  frozenVariables: number;
  totalVariables: number;
}

/** "froze 318,336 of 27,591,937 parameters (1.2 %), 44 of 212 weight variables: layers 0–79, the stem, stage 1 and part of stage 2". */
export function describeFreeze(counts: FreezeCounts, indices: number[], coverage: string): string {
  const percent = counts.totalParams > 0 ? (100 * counts.frozenParams) / counts.totalParams : 0;
  const head =
    `froze ${grouped(counts.frozenParams)} of ${grouped(counts.totalParams)} parameters (${percent.toFixed(1)} %), ` +
    `${counts.frozenVariables} of ${counts.totalVariables} weight variables`;
  if (indices.length === 0) return `${head}: no layers`;
  const layers = `${indices.length === 1 ? 'layer' : 'layers'} ${formatIndexRanges(indices)}`;
  return `${head}: ${layers}${coverage ? `, ${coverage}` : ''}`;
}
