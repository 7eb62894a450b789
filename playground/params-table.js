/**
 * The playground's parameter table: per parameter its initial value ('auto' while the model's
 * estimator is on), min, max, a "fixed" checkbox (hold it at its value) and a tie expression
 * (`2*s`: the parameter follows other parameters) — lmfit's Parameter fields, mapped onto nlsq's
 * `params()` (`vary: false`, `expr`). What was typed is remembered by `kind:name` (p0, lo, hi,
 * fx, tie) across redraws, so that switching the estimator off and on, or editing the
 * expression, keeps it.
 */

const $ = (id) => /** @type {any} */ (document.getElementById(id));

/** @type {Record<string, string>} typed values by `p0:name`, `lo:name`, `hi:name`, `fx:name` ('true' or ''), `tie:name`. */
let p0Memory = {};

/** Replace the remembered values (a sample's p0, a restored session, or {} for a new model). */
export function setP0Memory(values) {
  p0Memory = { ...values };
  // The rows on screen belong to the values replaced: drop them, so the next draw does not save them back.
  $('p0-table').tBodies[0].replaceChildren();
}

/** The value of a table input as remembered: a checkbox as 'true' or '', a text box as typed. */
export function inputValue(input) {
  return input.type === 'checkbox' ? (input.checked ? 'true' : '') : input.value;
}

/** Fill the parameter table: initial value ('auto' while the estimator is on; a fixed parameter always has its value), min, max, fixed, tie. */
export function renderP0(params, hasEstimator) {
  $('p0-auto-label').hidden = !hasEstimator;
  if (!hasEstimator) $('p0-auto').checked = false;
  const auto = hasEstimator && $('p0-auto').checked;
  const body = $('p0-table').tBodies[0];
  for (const input of body.querySelectorAll('input')) if (!input.disabled) p0Memory[input.dataset.key] = inputValue(input);
  // Redrawn under the keyboard (a fixed box ticked): focus goes back to the same cell.
  const focused = body.contains(document.activeElement) ? document.activeElement.id : null;
  const cell = (kind, p, label, value, disabled = false) => {
    const td = document.createElement('td');
    const input = document.createElement('input');
    input.type = kind === 'fx' ? 'checkbox' : 'text';
    input.id = `${kind}-${p}`;
    input.dataset.key = `${kind}:${p}`;
    input.setAttribute('aria-label', `${label} of ${p}`);
    if (kind === 'fx') input.checked = value === 'true';
    else input.value = value;
    input.disabled = disabled;
    if (kind === 'tie') input.placeholder = 'e.g. 2*a';
    td.append(input);
    return td;
  };
  body.replaceChildren(
    ...params.map((p) => {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = p;
      const fixed = p0Memory[`fx:${p}`] === 'true';
      const showAuto = auto && !fixed;
      tr.append(
        th,
        cell('p0', p, 'initial value', showAuto ? 'auto' : (p0Memory[`p0:${p}`] ?? '1'), showAuto),
        cell('lo', p, 'lower bound', p0Memory[`lo:${p}`] ?? ''),
        cell('hi', p, 'upper bound', p0Memory[`hi:${p}`] ?? ''),
        cell('fx', p, 'fixed', p0Memory[`fx:${p}`] ?? ''),
        cell('tie', p, 'tie expression', p0Memory[`tie:${p}`] ?? ''),
      );
      return tr;
    }),
  );
  if (focused !== null) document.getElementById(focused)?.focus();
}

/** Bounds from the min/max cells, blanks taking the model's default bounds; undefined when all are blank. */
export function readBounds(m) {
  const read = (kind, p, i, side) => {
    const text = $(`${kind}-${p}`).value.trim();
    if (text === '') return m.defaultBounds?.[side]?.[i] ?? (side === 0 ? -Infinity : Infinity);
    const v = Number(text);
    if (Number.isNaN(v)) throw new Error(`${side === 0 ? 'lower' : 'upper'} bound of ${p} must be a number, got ${JSON.stringify(text)}`);
    return v;
  };
  const anyGiven = m.params.some((p) => $(`lo-${p}`).value.trim() !== '' || $(`hi-${p}`).value.trim() !== '');
  if (!anyGiven) return undefined;
  return [m.params.map((p, i) => read('lo', p, i, 0)), m.params.map((p, i) => read('hi', p, i, 1))];
}

/**
 * The `params()` input of the table when a parameter is fixed or tied, else undefined (the fit
 * then takes p0 and bounds). A free parameter's value is its initial value, or undefined while
 * the estimator is on (the worker fills it from the estimate); min and max are the bounds cells
 * (blank: the model's default bounds).
 *
 * @param m - the model. @param auto - whether the estimator is on.
 * @returns `{ name: { value?, min, max } | { value, vary: false } | { expr } }` or undefined.
 * @throws Error naming the parameter for a fixed one without a numeric value.
 */
export function readParams(m, auto) {
  const fixed = (p) => $(`fx-${p}`).checked;
  const tie = (p) => $(`tie-${p}`).value.trim();
  if (!m.params.some((p) => fixed(p) || tie(p) !== '')) return undefined;
  const bounds = readBounds(m) ?? [m.params.map((_, i) => m.defaultBounds?.[0]?.[i] ?? -Infinity), m.params.map((_, i) => m.defaultBounds?.[1]?.[i] ?? Infinity)];
  const value = (p) => {
    const text = $(`p0-${p}`).value.trim();
    const v = Number(text);
    if (text === '' || !Number.isFinite(v)) throw new Error(`the value of ${p} must be a number, got ${JSON.stringify(text)}`);
    return v;
  };
  return Object.fromEntries(
    m.params.map((p, i) => {
      if (tie(p) !== '') return [p, { expr: tie(p) }];
      if (fixed(p)) return [p, { value: value(p), vary: false }];
      return [p, { ...(auto ? {} : { value: value(p) }), min: bounds[0][i], max: bounds[1][i] }];
    }),
  );
}
