/* global URLSearchParams, location, window, document */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ComparePage } from './compare-page.js';
import { html } from './html.js';
import { PredictPage } from './predict-page.js';
import { RunPage } from './run-page.js';
import { RunsList } from './runs-list.js';

/** Hash routes: #/ · #/run/NAME · #/compare?runs=a,b · #/predict?run=NAME */
function parseRoute(hash) {
  const [pathPart, queryPart = ''] = hash.replace(/^#/, '').split('?');
  const query = new URLSearchParams(queryPart);
  const parts = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'run' && parts[1]) return { view: 'run', name: parts[1] };
  if (parts[0] === 'compare')
    return { view: 'compare', names: (query.get('runs') ?? '').split(',').filter(Boolean) };
  if (parts[0] === 'predict') return { view: 'predict', run: query.get('run') ?? undefined };
  return { view: 'runs' };
}

function App() {
  const [route, setRoute] = useState(parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const nav = (href, label, view) =>
    html`<a href=${href} class=${route.view === view ? 'active' : ''}>${label}</a>`;
  let page;
  if (route.view === 'run') page = html`<${RunPage} key=${route.name} name=${route.name} />`;
  else if (route.view === 'compare') page = html`<${ComparePage} names=${route.names} />`;
  else if (route.view === 'predict') page = html`<${PredictPage} initialRun=${route.run} />`;
  else page = html`<${RunsList} />`;
  return html`
    <header class="top">
      <span class="brand">visionlab</span>
      ${nav('#/', 'Runs', 'runs')} ${nav('#/predict', 'Predict', 'predict')}
    </header>
    <main data-view=${route.view}>${page}</main>
  `;
}

render(html`<${App} />`, document.getElementById('app'));
