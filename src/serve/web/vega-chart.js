/* global vega, vegaLite */
import { useEffect, useRef } from 'preact/hooks';
import { html } from './html.js';

/** Renders a Vega-Lite spec (as built by the server from the report's chart specs) to SVG. */
export function VegaChart({ spec, id }) {
  const el = useRef(null);
  useEffect(() => {
    if (!spec || !el.current) return undefined;
    let view = null;
    let cancelled = false;
    const { spec: vgSpec } = vegaLite.compile(spec);
    el.current.replaceChildren();
    view = new vega.View(vega.parse(vgSpec), { renderer: 'svg', container: el.current, hover: true });
    view.runAsync().then(() => {
      if (!cancelled) el.current?.setAttribute('data-rendered', String(Date.now()));
    });
    return () => {
      cancelled = true;
      view.finalize();
    };
  }, [spec]);
  return html`<div class="panel chart" id=${id} ref=${el}></div>`;
}
