import type { InspectReport } from './inspect.js';
import { printable, printableLines } from '../util/printable.js';

const SHOWN = 5;

/** The inspect report as text for a terminal. */
export function formatInspectReport(report: InspectReport): string {
  const lines: string[] = [
    `${printable(report.root)}: ${report.readableImages} readable image(s) of ${report.totalImages}, ${report.classNames.length} class(es)`,
  ];
  const splits = Object.keys(report.splitCounts);
  const width = Math.max(5, ...report.classNames.map((c) => printable(c).length));
  lines.push(
    '',
    `  ${'class'.padEnd(width)}  ${['total', ...(splits.length > 1 ? splits : [])].map((s) => s.padStart(10)).join('')}`,
  );
  for (const name of report.classNames) {
    const perSplit =
      splits.length > 1 ? splits.map((s) => String(report.splitCounts[s][name] ?? 0).padStart(10)) : [];
    lines.push(
      `  ${printable(name).padEnd(width)}  ${String(report.classCounts[name]).padStart(10)}${perSplit.join('')}`,
    );
  }
  if (report.sizes) {
    const { width: w, height: h, formats, common } = report.sizes;
    lines.push(
      '',
      `  sizes   width ${w.min}–${w.max} (median ${w.median}), height ${h.min}–${h.max} (median ${h.median})`,
      `  common  ${common.map((c) => `${c.width}×${c.height} (${c.count})`).join(', ')}`,
      `  formats ${Object.entries(formats)
        .map(([f, n]) => `${f} ${n}`)
        .join(', ')}`,
    );
  }
  if (report.ignoredHidden > 0) lines.push(`  ignored ${report.ignoredHidden} hidden/system file(s)`);
  const list = (title: string, groups: InspectReport['duplicates']) => {
    if (groups.length === 0) return;
    lines.push('', `  ${title}: ${groups.length}`);
    for (const group of groups.slice(0, SHOWN)) {
      lines.push(
        `    ${group.files.map((f) => `${printable(f.source)}${f.split ? ` [${f.split}]` : ''}`).join('  =  ')}`,
      );
    }
    if (groups.length > SHOWN) lines.push(`    … and ${groups.length - SHOWN} more`);
  };
  list('duplicate groups (same content)', report.duplicates);
  list('leakage (same image in two splits)', report.leakage);
  list('same image under two classes', report.conflictingLabels);
  if (report.unreadable.length > 0) {
    lines.push('', `  unreadable: ${report.unreadable.length}`);
    for (const s of report.unreadable.slice(0, SHOWN))
      lines.push(`    ${printable(s.source)}: ${printable(s.reason)}`);
    if (report.unreadable.length > SHOWN) lines.push(`    … and ${report.unreadable.length - SHOWN} more`);
  }
  if (report.warnings.length > 0)
    lines.push('', ...report.warnings.map((w) => `warning: ${printableLines(w)}`));
  return lines.join('\n');
}
