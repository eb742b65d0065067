/** What `data inspect` concludes from the files it read: duplicates, size summary, warnings. */

export interface InspectedFile {
  source: string;
  className: string;
  split?: string;
}

export interface SizeSummary {
  min: number;
  median: number;
  max: number;
}

export interface ReadableImage {
  file: InspectedFile;
  sha256: string;
  width: number;
  height: number;
  format: string;
}

export interface DuplicateGroup {
  sha256: string;
  files: InspectedFile[];
}

/** Groups of identical files; those spanning splits (leakage); those spanning classes. */
export function duplicateGroups(readable: readonly ReadableImage[]): {
  duplicates: DuplicateGroup[];
  leakage: DuplicateGroup[];
  conflictingLabels: DuplicateGroup[];
} {
  const byHash = new Map<string, InspectedFile[]>();
  for (const { file, sha256 } of readable) {
    const list = byHash.get(sha256) ?? [];
    list.push({
      source: file.source,
      className: file.className,
      ...(file.split && file.split !== 'all' ? { split: file.split } : {}),
    });
    byHash.set(sha256, list);
  }
  const duplicates = [...byHash.entries()]
    .filter(([, list]) => list.length > 1)
    .map(([sha256, files]) => ({ sha256, files }));
  return {
    duplicates,
    leakage: duplicates.filter((d) => new Set(d.files.map((f) => f.split)).size > 1),
    conflictingLabels: duplicates.filter((d) => new Set(d.files.map((f) => f.className)).size > 1),
  };
}

function summary(values: number[]): SizeSummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0],
    median: sorted[Math.floor((sorted.length - 1) / 2)],
    max: sorted[sorted.length - 1],
  };
}

/** Width and height ranges, formats, and the five most frequent sizes; null when nothing was readable. */
export function sizeSummary(readable: readonly ReadableImage[]): {
  width: SizeSummary;
  height: SizeSummary;
  formats: Record<string, number>;
  common: Array<{ width: number; height: number; count: number }>;
} | null {
  if (readable.length === 0) return null;
  const sizeCounts = new Map<string, { width: number; height: number; count: number }>();
  const formats: Record<string, number> = {};
  for (const r of readable) {
    const key = `${r.width}x${r.height}`;
    const entry = sizeCounts.get(key) ?? { width: r.width, height: r.height, count: 0 };
    entry.count++;
    sizeCounts.set(key, entry);
    formats[r.format] = (formats[r.format] ?? 0) + 1;
  }
  return {
    width: summary(readable.map((r) => r.width)),
    height: summary(readable.map((r) => r.height)),
    formats,
    common: [...sizeCounts.values()].sort((a, b) => b.count - a.count).slice(0, 5),
  };
}

export function inspectWarnings(found: {
  classCounts: Record<string, number>;
  unreadable: number;
  leakage: number;
  conflictingLabels: number;
  imbalanceRatio: number;
}): string[] {
  const warnings: string[] = [];
  const names = Object.keys(found.classCounts);
  const counts = Object.values(found.classCounts);
  if (counts.length < 2)
    warnings.push(`only ${counts.length} class folder(s): a classifier needs at least two`);
  else {
    const max = Math.max(...counts);
    const min = Math.min(...counts);
    if (min === 0) {
      warnings.push(
        `class imbalance: ${names.filter((c) => found.classCounts[c] === 0).join(', ')} has no readable images`,
      );
    } else if (max / min >= found.imbalanceRatio) {
      const big = names.find((c) => found.classCounts[c] === max);
      const small = names.find((c) => found.classCounts[c] === min);
      warnings.push(
        `class imbalance: ${big} has ${max} images, ${small} only ${min} (${(max / min).toFixed(1)}×); consider class weights, resampling or more data`,
      );
    }
  }
  if (found.unreadable > 0) warnings.push(`${found.unreadable} file(s) cannot be read and will be skipped`);
  if (found.leakage > 0) {
    warnings.push(
      `${found.leakage} image(s) appear in more than one of train/validation/test: the held-out scores will be optimistic`,
    );
  }
  if (found.conflictingLabels > 0)
    warnings.push(`${found.conflictingLabels} image(s) appear under more than one class`);
  return warnings;
}
