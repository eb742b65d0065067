import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import sharp from 'sharp';
import { writeFileAtomic } from '../util/atomic-write.js';

export type ChartSpec = TopLevelSpec;

/** Fonts every chart uses: DejaVu Sans ships with Debian (fonts-dejavu-core), so librsvg draws the text sharp measures. */
export const CHART_FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

const baseConfig = {
  font: CHART_FONT,
  background: 'white',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14 },
};

/** `spec` with the look every chart shares (fonts, sizes, white background); its own `config` keys win. */
export function withChartConfig(spec: ChartSpec): ChartSpec {
  return { ...spec, config: { ...baseConfig, ...(spec.config ?? {}) } } as ChartSpec;
}

/** Renders a Vega-Lite spec to a standalone SVG string in Node, without a browser. */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const { spec: vgSpec } = compile(withChartConfig(spec));
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG string to PNG with sharp (librsvg); `scale` multiplies the SVG's own size. */
export async function svgToPng(svg: string, scale = 2): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 72 * scale })
    .flatten({ background: '#ffffff' })
    .png()
    .toBuffer();
}

/** Renders `spec` and writes `<base>.svg` and `<base>.png` atomically; returns the SVG text. */
export async function writeChart(basePath: string, spec: ChartSpec): Promise<string> {
  const svg = await renderSvg(spec);
  const png = await svgToPng(svg);
  await writeFileAtomic(`${basePath}.svg`, svg);
  await writeFileAtomic(`${basePath}.png`, png);
  return svg;
}
