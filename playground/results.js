/**
 * The playground's result panel and downloads: the parameter table (value, standard error, 95%
 * interval), statistics, backend and its reason, report, figure; the result JSON, the curve and
 * residuals CSV and the code snippets. `current` is `{ inputs, result }` of the last fit.
 */
import { nlsqSnippet, scipySnippet } from './snippets.js';
import { ZOOM_BUCKETS, showZoom } from './zoom-plot.js';

/** The zoomable chart of the last result when its data were too large for the SVG figure, else null. */
let zoom = null;

const $ = (id) => /** @type {any} */ (document.getElementById(id));
const fmt = (v) => (Number.isFinite(v) ? v.toPrecision(12) : String(v));

/** Fill the result section from the worker's result and show it. */
export function showResult(current) {
  const r = current.result;
  const body = $('param-table').tBodies[0];
  body.replaceChildren(
    ...r.paramNames.map((name, i) => {
      const tr = document.createElement('tr');
      tr.dataset.param = name;
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = name;
      tr.append(th);
      for (const v of [r.popt[i], r.perr[i], r.ci.lower[i], r.ci.upper[i]]) tr.insertCell().textContent = fmt(v);
      return tr;
    }),
  );
  $('stats').textContent = `R² = ${fmt(r.rSquared)} · χ²ν = ${fmt(r.reducedChiSquare)} ${r.aic !== undefined ? ` · AIC = ${fmt(r.aic)} · BIC = ${fmt(r.bic)}` : ''} · n = ${r.n} · dof = ${r.dof} · nfev = ${r.nfev} · method ${r.method}`;
  $('backend-info').textContent = `Backend ${r.backend}: ${r.reason}`;
  $('report').textContent = r.report + (r.warnings.length ? `\nwarnings:\n${r.warnings.join('\n')}` : '');
  $('dl-svg').disabled = !r.svg;
  if (r.svg) $('figure').innerHTML = r.svg;
  else $('figure').textContent = `(no figure: ${r.svgError})`;
  $('results').hidden = false;
  zoom = null;
  $('zoom-box').hidden = Boolean(r.svg);
  if (!r.svg) {
    const { x, y, xName, yName } = current.inputs;
    zoom = showZoom($('zoom'), { x, y, yhat: r.yhat, xName, yName });
    $('zoom-note').textContent = `${x.length.toLocaleString('en')} points: drag across the chart to zoom (at most ${2 * ZOOM_BUCKETS} points drawn, the lowest and highest of each slice of x).`;
  }
  $('dl-png').disabled = !r.svg && zoom === null;
  $('code').textContent = nlsqCode(current);
}

/** Back to the whole x range of the zoomable chart. */
export function resetZoom() {
  zoom?.reset();
}

/**
 * The figure as PNG: the SVG figure rasterized on a canvas at `scale` (white background), or the
 * zoomable chart's canvas as it is shown.
 * @returns {Promise<Blob>}
 */
export async function figurePNG(current, scale = 2) {
  const svg = current.result.svg;
  if (!svg) {
    if (zoom === null) throw new Error('no figure to save');
    return zoom.toPNG();
  }
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml').documentElement;
  const width = Number.parseFloat(doc.getAttribute('width') ?? '') || 600;
  const height = Number.parseFloat(doc.getAttribute('height') ?? '') || 400;
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise((ok, fail) => canvas.toBlob((b) => (b ? ok(b) : fail(new Error('the canvas gave no PNG'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

function snippetInput({ inputs, result }) {
  return { expression: result.modelJSON.expression, params: result.paramNames, library: inputs.library, x: inputs.x, y: inputs.y, sigma: inputs.sigma, p0: inputs.p0, bounds: inputs.bounds, named: result.namedParams ?? inputs.params, method: inputs.method, loss: inputs.loss, popt: result.popt, xName: inputs.xName, yName: inputs.yName, sigmaName: inputs.sigmaName };
}

/** nlsq code that reproduces the fit. */
export const nlsqCode = (current) => nlsqSnippet(snippetInput(current));
/** SciPy `curve_fit` code that reproduces the fit. */
export const scipyCode = (current) => scipySnippet(snippetInput(current));

/** Offer `text` (or a Blob) as a file download named `name`. */
export function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The result as JSON: the worker's fields less the arrays drawn, plus which columns were fitted. */
export function resultJSON({ inputs, result }) {
  const { svg, yhat, grid, curve, ...rest } = result;
  return JSON.stringify({ ...rest, data: { x: inputs.xName, y: inputs.yName, sigma: inputs.sigmaName ?? null, n: inputs.x.length } }, null, 2);
}

/** Rows `data,x,y,ŷ,y−ŷ` at the data, then `curve,x,,ŷ,` on a 200-point grid. */
export function curveCSV({ inputs, result }) {
  const lines = ['kind,x,y,yhat,residual'];
  inputs.x.forEach((x, i) => lines.push(`data,${x},${inputs.y[i]},${result.yhat[i]},${inputs.y[i] - result.yhat[i]}`));
  result.grid.forEach((x, i) => lines.push(`curve,${x},,${result.curve[i]},`));
  return `${lines.join('\n')}\n`;
}
