/** Small helpers to build self-contained HTML pages (no script, no external resource). */

export function escapeHtml(value: unknown): string {
  return String(value).replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&quot;' })[c]!,
  );
}

/** A number for people: integers as is, others with 4 significant decimals; blanks for missing values. */
export function formatNumber(value: unknown, digits = 4): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toFixed(digits);
}

export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  className = '',
): string {
  const head =
    header.length > 0
      ? `<thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`
      : '';
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table class="${className}">${head}<tbody>${body}</tbody></table>`;
}

/** Key/value rows; values are escaped, objects shown as JSON. */
export function keyValueTable(entries: ReadonlyArray<readonly [string, unknown]>): string {
  return table(
    [],
    entries.map(([k, v]) => [
      `<b>${escapeHtml(k)}</b>`,
      typeof v === 'object' && v !== null
        ? `<code>${escapeHtml(JSON.stringify(v))}</code>`
        : escapeHtml(v ?? '–'),
    ]),
    'kv',
  );
}

export function svgImage(svg: string, alt: string): string {
  return `<img class="chart" alt="${escapeHtml(alt)}" src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}">`;
}

export function pngImage(png: Uint8Array, alt: string): string {
  return `<img class="chart" alt="${escapeHtml(alt)}" src="data:image/png;base64,${Buffer.from(png).toString('base64')}">`;
}

const STYLE = `
body{font-family:"DejaVu Sans",system-ui,sans-serif;margin:24px auto;max-width:1200px;padding:0 16px;color:#222}
h1{font-size:24px;margin-bottom:4px}h2{font-size:19px;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin-top:20px}.muted{color:#666}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #ddd;padding:4px 8px;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}table.kv td{text-align:left}
code,pre{font-family:"DejaVu Sans Mono",monospace;font-size:12px}pre{background:#f7f7f7;padding:10px;overflow:auto;max-height:480px}
img.chart{max-width:100%;height:auto;display:block;margin:8px 0;border:1px solid #eee}
.charts{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
.best{font-weight:bold;background:#eaf5ea}
`;

/** A whole page; the CSP forbids every network fetch, so the page provably opens offline. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
