/**
 * The playground's parameter table: per parameter its initial value ('auto' while the model's
 * estimator is on), min and max. What was typed is remembered by `kind:name` (p0, lo, hi) across
 * redraws, so that switching the estimator off and on, or editing the expression, keeps it.
 */

const $ = (id) => /** @type {any} */ (document.getElementById(id));

/** @type {Record<string, string>} typed values by `p0:name`, `lo:name`, `hi:name`. */
let p0Memory = {};

/** Replace the remembered values (a sample's p0, a restored session, or {} for a new model). */
export function setP0Memory(values) {
  p0Memory = { ...values };
  // The rows on screen belong to the values replaced: drop them, so the next draw does not save them back.
  $('p0-table').tBodies[0].replaceChildren();
}

/** Fill the parameter table: initial value ('auto' while the estimator is on), min and max (blank: none). */
export function renderP0(params, hasEstimator) {
  $('p0-auto-label').hidden = !hasEstimator;
  if (!hasEstimator) $('p0-auto').checked = false;
  const auto = hasEstimator && $('p0-auto').checked;
  const body = $('p0-table').tBodies[0];
  for (const input of body.querySelectorAll('input')) if (!input.disabled) p0Memory[input.dataset.key] = input.value;
  const cell = (kind, p, label, value, disabled = false) => {
    const td = document.createElement('td');
    const input = document.createElement('input');
    input.type = 'text';
    input.id = `${kind}-${p}`;
    input.dataset.key = `${kind}:${p}`;
    input.setAttribute('aria-label', `${label} of ${p}`);
    input.value = value;
    input.disabled = disabled;
    td.append(input);
    return td;
  };
  body.replaceChildren(
    ...params.map((p) => {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = p;
      tr.append(th, cell('p0', p, 'initial value', auto ? 'auto' : (p0Memory[`p0:${p}`] ?? '1'), auto), cell('lo', p, 'lower bound', p0Memory[`lo:${p}`] ?? ''), cell('hi', p, 'upper bound', p0Memory[`hi:${p}`] ?? ''));
      return tr;
    }),
  );
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
