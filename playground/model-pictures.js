/**
 * A small picture of each library model's shape, computed in the page from the model itself:
 * `m.evaluate(params, x)` on 64 points of a range that shows the shape, drawn as an inline SVG
 * line (no image files, no network). The ranges and parameter values below only choose where to
 * look; the curve is the model's.
 */

/** Per model: the x range and the parameter values (model order) that show its shape. */
const VIEWS = {
  linear: [[0, 10], [0.5, 1]],
  exponentialDecay: [[0, 10], [3, 0.5, 1]],
  exponentialGrowth: [[0, 5], [1, 0.6, 0]],
  doubleExponential: [[0, 10], [2, 0.25, 2, 3, 0.5]],
  gaussian: [[0, 10], [1, 5, 1.2]],
  lorentzian: [[0, 10], [1, 5, 0.8]],
  pseudoVoigt: [[0, 10], [1, 5, 1, 0.5]],
  sigmoid: [[0, 10], [1, 5, 1.5, 0]],
  hill: [[0, 10], [1, 3, 3]],
  fourPL: [[0.1, 20], [1, 2, 5, 0]],
  fivePL: [[0.1, 20], [1, 2, 5, 0, 2]],
  michaelisMenten: [[0, 10], [1, 1.5]],
  powerLaw: [[0.1, 10], [1, 1.5]],
  dampedSine: [[0, 10], [1, 0.3, 3, 0, 0]],
  gompertz: [[0, 10], [1, 5, 0.8]],
  moffat: [[0, 10], [1, 5, 1, 1.5]],
  pearson7: [[0, 10], [1, 5, 1, 1.5]],
  skewedGaussian: [[0, 10], [1, 4, 1.5, 3]],
  expGaussian: [[0, 10], [1, 3, 0.5, 0.8]],
  dampedOscillator: [[0, 3], [1, 1, 0.1]],
  breitWigner: [[0, 10], [1, 5, 2, 2]],
  logNormal: [[0.05, 5], [1, 0, 0.5]],
  step: [[0, 10], [1, 5, 1]],
  rectangle: [[0, 10], [1, 3, 0.5, 7, 0.5]],
};

const W = 96;
const H = 32;
const N = 64;

/**
 * The model's curve as an SVG path over a W×H box, or null when it has no finite values there.
 * @param {{ params: readonly string[], evaluate: (p: number[], x: Float64Array) => Float64Array }} m
 * @param {string} name - the library name (for its view; others get x ∈ [0, 5], every parameter 1).
 */
export function modelPath(m, name) {
  const [[lo, hi], values] = VIEWS[name] ?? [[0, 5], m.params.map(() => 1)];
  const x = Float64Array.from({ length: N }, (_, i) => lo + ((hi - lo) * i) / (N - 1));
  const y = m.evaluate(values, x);
  let min = Infinity;
  let max = -Infinity;
  for (const v of y) {
    if (!Number.isFinite(v)) continue;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  if (!(max >= min)) return null;
  const span = max > min ? max - min : 1;
  let d = '';
  let pen = 'M';
  y.forEach((v, i) => {
    if (!Number.isFinite(v)) {
      pen = 'M';
      return;
    }
    d += `${pen}${((i / (N - 1)) * (W - 4) + 2).toFixed(1)},${(H - 2 - ((v - min) / span) * (H - 4)).toFixed(1)}`;
    pen = 'L';
  });
  return d;
}

/** An inline SVG picture of the model (decorative: the button around it carries the name). */
export function modelPicture(m, name) {
  const d = modelPath(m, name);
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('width', String(W));
  svg.setAttribute('height', String(H));
  svg.setAttribute('aria-hidden', 'true');
  svg.classList.add('model-picture');
  if (d !== null) {
    const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}
