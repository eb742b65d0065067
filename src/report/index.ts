export { renderSvg, svgToPng, writeChart, type ChartSpec } from './chart.js';
export { writeCurves, curvesSpec, type CurvesOptions } from './curves.js';
