import { useEffect, useState } from 'preact/hooks';
import { fetchJson, formatPercent, runUrl } from './api.js';
import { html } from './html.js';

/** Upload an image, classify it with a run's saved model, and show the class probabilities (and Grad-CAM). */
export function PredictPage({ initialRun }) {
  const [runs, setRuns] = useState([]);
  const [run, setRun] = useState(initialRun ?? '');
  const [file, setFile] = useState(null);
  const [preview, setPreview] = useState(null);
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    fetchJson('/api/runs')
      .then((body) => {
        const withModel = body.runs.filter((r) => r.hasModel);
        setRuns(withModel);
        if (!initialRun && withModel.length > 0) setRun(withModel[0].name);
      })
      .catch((err) => setError(err.message));
  }, []);

  useEffect(() => {
    if (!file) return undefined;
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  const submit = async (event) => {
    event.preventDefault();
    if (!file || !run) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      // The file is the request body: no multipart parsing on the server, and its type is checked there by content.
      setResult(
        await fetchJson(`${runUrl(run)}/predict`, {
          method: 'POST',
          body: file,
          headers: { 'x-visionlab-request': '1' },
        }),
      );
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  };

  return html`
    <h1>Predict</h1>
    <form class="predict" onSubmit=${submit}>
      <label
        >run
        <select id="predict-run" value=${run} onChange=${(e) => setRun(e.currentTarget.value)}>
          ${runs.map((r) => html`<option value=${r.name}>${r.name}</option>`)}
        </select>
      </label>
      <input
        id="predict-file"
        type="file"
        accept="image/jpeg,image/png,image/gif,image/webp"
        onChange=${(e) => setFile(e.currentTarget.files[0] ?? null)}
      />
      <button class="primary" id="predict-submit" type="submit" disabled=${!file || !run || busy}>
        ${busy ? 'Predicting…' : 'Predict'}
      </button>
    </form>
    ${runs.length === 0 && html`<p class="muted">No run has a saved model yet.</p>`}
    ${error && html`<p class="error" id="predict-error">${error}</p>`}
    ${
      result &&
      html`<section id="prediction">
        <h2>
          ${`${result.predictions[0].label} `}<span class="muted"
            >${formatPercent(result.predictions[0].probability)}</span
          >
        </h2>
        <div class="bars">
          ${result.predictions.map(
            (p) =>
              html`<span>${p.label}</span>
                <div class="bar" style=${`width:${Math.max(1, p.probability * 240)}px`}></div>
                <span class="num">${formatPercent(p.probability)}</span>`,
          )}
        </div>
        <div class="predict-images">
          ${
            preview &&
            html`<figure>
              <img src=${preview} alt="uploaded image" />
              <figcaption>input</figcaption>
            </figure>`
          }
          ${
            result.gradCam &&
            html`<figure>
              <img id="gradcam" src=${result.gradCam} alt="Grad-CAM overlay" />
              <figcaption>what the model saw, and where it looked (Grad-CAM)</figcaption>
            </figure>`
          }
        </div>
        <p class="muted">
          model input ${result.inputShape.join('×')}, preprocessing ${result.preprocessing}
          ${result.gradCamLayer ? `, Grad-CAM on layer ${result.gradCamLayer}` : ''}
          ${result.gradCamError ? `; no Grad-CAM: ${result.gradCamError}` : ''}
        </p>
      </section>`
    }
  `;
}
