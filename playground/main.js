/**
 * The playground page: data in (paste or sample), model (library with pictures, or expression
 * with the live parse error and its caret), parameter table (initial values, bounds, fixed, tied),
 * fit in a Web Worker with Cancel, result table, report, figure (or a zoomable chart for large
 * data) and downloads; the batch tab fits every matching column at once. The library runs on the
 * main thread only to parse expressions, list models and draw their pictures.
 */
import { model, models } from '../src/index.ts';
import { parseTable } from './table.js';
import { preloadReaders, readFileTable } from './file-table.js';
import { SAMPLES } from './samples.js';
import { curveCSV, download, figurePNG, nlsqCode, resetZoom, resultJSON, scipyCode, showResult } from './results.js';
import { inputValue, readBounds, readParams, renderP0, setP0Memory } from './params-table.js';
import { modelPicture } from './model-pictures.js';
import { batchColumns, showBatch, wireBatchDownloads } from './batch-tab.js';
import { decodeSession, encodeSession, INLINE_TABLE_MAX } from './session.js';

const $ = (id) => /** @type {any} */ (document.getElementById(id));
const EXPRESSION = '__expression__';
const LARGE_ROWS = 3_000_000;
/** Points of the large peak sample: above the SVG figure's limit, so its result is the zoomable chart. */
const PEAK_ROWS = 400_000;
/** Curves × points of the generated batch sample. */
const BATCH_CURVES = 2000;
const BATCH_POINTS = 64;

/** @type {{ names: string[], columns: Float64Array[], rows: number } | null} */
let table = null;
/** @type {any} */
let current = null; // the last result and the inputs that made it
let worker = null;
let nextId = 1;
let runningId = 0;
let cancelTimer = 0;
/** Set to 1 on Cancel; shared with the worker when the page is cross-origin isolated. */
let stopFlag = null;
/** The running batch's id (0: none), its stop flag, and the last batch result. */
let batchId = 0;
let batchStop = null;
/** The samples generated in the page. */
const GENERATED = ['large', 'peak', 'peaks'];
let lastBatch = null;

// ---------- models ----------
const LIBRARY = [];
for (const [name, factory] of Object.entries(models)) {
  try {
    const m = factory();
    if (m.variables.length === 1) LIBRARY.push({ name, model: m });
  } catch {
    // factories that need arguments (polynomial) are left out of the list
  }
}

function fillModelList() {
  const select = $('model-kind');
  for (const { name, model: m } of LIBRARY) select.add(new Option(`${name}: ${m.source}`, name));
  select.add(new Option('typed expression…', EXPRESSION));
  // The gallery: a button per library model with the picture of its shape.
  $('model-gallery').replaceChildren(
    ...LIBRARY.map(({ name, model: m }) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.model = name;
      button.title = `${name}: ${m.source}`;
      button.setAttribute('aria-label', `${name}: ${m.source}`);
      button.setAttribute('aria-pressed', 'false');
      const label = document.createElement('span');
      label.textContent = name;
      button.append(modelPicture(m, name), label);
      button.addEventListener('click', () => {
        select.value = name;
        select.dispatchEvent(new Event('change'));
      });
      return button;
    }),
  );
}

/** The model the page describes now, or null with the parse error shown. */
function currentModel() {
  const kind = $('model-kind').value;
  if (kind !== EXPRESSION) return LIBRARY.find((l) => l.name === kind)?.model ?? null;
  try {
    return model($('expression').value);
  } catch (error) {
    return { error };
  }
}

function updateModel() {
  const kind = $('model-kind').value;
  for (const b of $('model-gallery').children) b.setAttribute('aria-pressed', String(b.dataset.model === kind));
  const lib = kind !== EXPRESSION;
  $('expression').readOnly = lib;
  if (lib) $('expression').value = LIBRARY.find((l) => l.name === kind).model.source;
  const m = currentModel();
  const err = $('parse-error');
  if (m === null || 'error' in m) {
    err.hidden = false;
    err.textContent = m?.error?.message ?? 'no model';
    $('params-found').textContent = '';
    $('fit').disabled = true;
    renderP0([], false);
    return;
  }
  err.hidden = true;
  err.textContent = '';
  $('params-found').textContent = `Parameters found: ${m.params.join(', ')}`;
  $('fit').disabled = runningId !== 0;
  renderP0(m.params, typeof m.estimateP0 === 'function');
}


// ---------- data ----------
function setColumns(names, wanted = {}) {
  for (const [id, key, optional] of [['xcol', 'x', false], ['ycol', 'y', false], ['sigmacol', 'sigma', true]]) {
    const select = $(id);
    const keep = wanted[key] ?? select.value;
    select.replaceChildren(...(optional ? [new Option('(none)', '')] : []), ...names.map((n) => new Option(n, n)));
    if (names.includes(keep)) select.value = keep;
    else if (!optional) select.value = names[key === 'x' ? 0 : Math.min(1, names.length - 1)] ?? '';
  }
}

function renderPreview() {
  if (table === null) return $('preview').replaceChildren();
  const t = document.createElement('table');
  const head = t.createTHead().insertRow();
  // A wide table (a batch of curves) shows its first columns.
  const shown = Math.min(table.names.length, 12);
  for (const n of table.names.slice(0, shown)) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = n;
    head.append(th);
  }
  const body = t.createTBody();
  for (let r = 0; r < Math.min(table.rows, 8); r++) {
    const row = body.insertRow();
    for (const c of table.columns.slice(0, shown)) row.insertCell().textContent = String(c[r]);
  }
  const more = document.createElement('p');
  more.textContent = shown < table.names.length ? `(the first ${shown} of ${table.names.length} columns)` : '';
  $('preview').replaceChildren(t, more);
}

function readTable(wanted) {
  delete $('data').dataset.binary;
  try {
    table = parseTable($('data').value);
    $('table-status').textContent = `${table.rows} rows × ${table.names.length} columns${table.header ? ' (header row found)' : ''}`;
    setColumns(table.names, wanted);
  } catch (error) {
    table = null;
    $('table-status').textContent = `Table: ${error.message}`;
    setColumns([]);
  }
  renderPreview();
}

function largeTable() {
  const x = new Float64Array(LARGE_ROWS);
  const y = new Float64Array(LARGE_ROWS);
  let s = 12345;
  for (let i = 0; i < LARGE_ROWS; i++) {
    s = (s * 16807) % 2147483647;
    x[i] = (10 * i) / LARGE_ROWS;
    y[i] = 2 * Math.exp(-0.3 * x[i]) + 1.5 * Math.exp(-3 * x[i]) + 0.01 * (s / 2147483647 - 0.5);
  }
  return { names: ['x', 'y'], columns: [x, y], rows: LARGE_ROWS, header: true };
}

/** A single Gaussian peak on PEAK_ROWS points (deterministic noise): fits fast, too large for the SVG figure. */
function peakTable() {
  const x = new Float64Array(PEAK_ROWS);
  const y = new Float64Array(PEAK_ROWS);
  let s = 777;
  for (let i = 0; i < PEAK_ROWS; i++) {
    s = (s * 16807) % 2147483647;
    x[i] = (20 * i) / PEAK_ROWS;
    y[i] = 3 * Math.exp(-((x[i] - 8) ** 2) / (2 * 1.5 ** 2)) + 0.2 * (s / 2147483647 - 0.5);
  }
  return { names: ['x', 'y'], columns: [x, y], rows: PEAK_ROWS, header: true };
}

/** BATCH_CURVES Gaussian peaks of BATCH_POINTS points each, one column per curve (deterministic). */
function peaksTable() {
  const x = Float64Array.from({ length: BATCH_POINTS }, (_, i) => (10 * i) / (BATCH_POINTS - 1));
  const columns = [x];
  const names = ['x'];
  let s = 4242;
  const next = () => (s = (s * 16807) % 2147483647) / 2147483647;
  for (let k = 0; k < BATCH_CURVES; k++) {
    const a = 1 + next();
    const mu = 3 + 4 * next();
    const w = 0.6 + 0.8 * next();
    columns.push(Float64Array.from(x, (v) => a * Math.exp(-((v - mu) ** 2) / (2 * w * w)) + 0.05 * (next() - 0.5)));
    names.push(`y${String(k + 1).padStart(4, '0')}`);
  }
  return { names, columns, rows: BATCH_POINTS, header: true };
}

/** Load a table generated in the page (not shown in the text box). */
function generatedSample(generated, note, columns, library) {
  $('data').value = `# generated in the page: ${note} (not shown)`;
  table = generated;
  $('table-status').textContent = `${table.rows} rows × ${table.names.length} columns (generated)`;
  setColumns(table.names, columns);
  renderPreview();
  $('model-kind').value = library;
  setP0Memory({});
  $('p0-auto').checked = true;
  updateModel();
}

function chooseSample() {
  const key = $('sample').value;
  delete $('data').dataset.binary;
  if (key === 'peak') return generatedSample(peakTable(), `${PEAK_ROWS} rows of a noisy Gaussian peak`, { x: 'x', y: 'y', sigma: '' }, 'gaussian');
  if (key === 'peaks') return generatedSample(peaksTable(), `${BATCH_CURVES} noisy Gaussian peaks of ${BATCH_POINTS} points, one column each`, { x: 'x', y: 'y0001', sigma: '' }, 'gaussian');
  if (key === 'large') {
    $('data').value = `# generated in the page: ${LARGE_ROWS} rows of a double exponential (not shown)`;
    table = largeTable();
    $('table-status').textContent = `${table.rows} rows × 2 columns (generated)`;
    setColumns(table.names, { x: 'x', y: 'y', sigma: '' });
    renderPreview();
    $('model-kind').value = 'doubleExponential';
    // No estimator for two exponentials: start away from the answer, so the fit takes a while.
    setP0Memory({ 'p0:a1': '1', 'p0:k1': '0.05', 'p0:a2': '1', 'p0:k2': '8', 'p0:c': '0' });
    $('p0-auto').checked = false;
    updateModel();
    return;
  }
  const sample = SAMPLES[key];
  if (sample === undefined) return;
  $('data').value = sample.text();
  readTable({ x: sample.x, y: sample.y, sigma: sample.sigma ?? '' });
  if (sample.model.library) {
    $('model-kind').value = sample.model.library;
    $('p0-auto').checked = true;
  } else {
    $('model-kind').value = EXPRESSION;
    $('expression').value = sample.model.expression;
    const m = currentModel();
    setP0Memory(Object.fromEntries(m.params.map((p, i) => [`p0:${p}`, String(sample.model.p0[i])])));
  }
  updateModel();
}

// ---------- fit ----------
function startWorker() {
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = onWorkerMessage;
  worker.onerror = (e) => finish(`Worker error: ${e.message}`);
}

function column(name) {
  const i = table.names.indexOf(name);
  return i < 0 ? undefined : table.columns[i];
}

/** The model and how to start it: p0 (or the estimator), bounds, or the table's fixed and tied parameters. */
function modelInputs() {
  const m = currentModel();
  if (m === null || 'error' in m) throw new Error('the model does not parse');
  const auto = !$('p0-auto-label').hidden && $('p0-auto').checked;
  const params = readParams(m, auto);
  let p0;
  if (!auto && params === undefined) {
    p0 = m.params.map((p) => {
      const v = Number($(`p0-${p}`).value);
      if (!Number.isFinite(v)) throw new Error(`initial value of ${p} must be a number, got ${JSON.stringify($(`p0-${p}`).value)}`);
      return v;
    });
  }
  const kind = $('model-kind').value;
  const bounds = params === undefined ? readBounds(m) : undefined;
  return { m, library: kind === EXPRESSION ? undefined : kind, p0, bounds, params, autoP0: auto, method: $('method').value || ($('loss').value !== 'linear' ? 'trf' : undefined), loss: $('loss').value };
}

function gather() {
  if (table === null) throw new Error('no data: paste a table or pick a sample');
  const inputs = modelInputs();
  const x = column($('xcol').value);
  const y = column($('ycol').value);
  const sigma = $('sigmacol').value ? column($('sigmacol').value) : undefined;
  return { ...inputs, x, y, sigma, xName: $('xcol').value, yName: $('ycol').value, sigmaName: $('sigmacol').value || undefined };
}

function runFit() {
  let inputs;
  try {
    inputs = gather();
  } catch (error) {
    $('status').textContent = `Cannot fit: ${error.message}`;
    return;
  }
  if (worker === null) startWorker();
  runningId = nextId++;
  current = { inputs, result: null };
  $('fit').disabled = true;
  $('cancel').disabled = false;
  $('status').textContent = `Fitting ${inputs.x.length} points…`;
  $('status').dataset.state = 'running';
  stopFlag = globalThis.crossOriginIsolated ? new Int32Array(new SharedArrayBuffer(4)) : null;
  worker.postMessage({
    type: 'fit',
    stop: stopFlag ?? undefined,
    id: runningId,
    model: { json: inputs.m.toJSON(), library: inputs.library },
    x: inputs.x,
    y: inputs.y,
    sigma: inputs.sigma,
    p0: inputs.p0,
    bounds: inputs.bounds,
    params: inputs.params,
    autoP0: inputs.autoP0,
    backend: $('backend').value,
    method: inputs.method,
    loss: inputs.loss,
    labels: { x: inputs.xName, y: inputs.yName },
  });
}

function finish(text, state = 'error') {
  clearTimeout(cancelTimer);
  runningId = 0;
  $('cancel').disabled = true;
  $('fit').disabled = false;
  $('status').textContent = text;
  $('status').dataset.state = state;
  updateModel();
}

function cancelFit() {
  if (runningId === 0) return;
  const id = runningId;
  if (stopFlag !== null) Atomics.store(stopFlag, 0, 1);
  worker.postMessage({ type: 'cancel', id });
  $('status').textContent = 'Cancelling…';
  $('status').dataset.state = 'cancelling';
  // A fit that does not stop at its next iteration (one long evaluation): end the worker.
  cancelTimer = setTimeout(() => {
    if (runningId !== id) return;
    worker.terminate();
    worker = null;
    finish('Cancelled (worker stopped).', 'cancelled');
  }, 3000);
}

// ---------- batch ----------
function updateBatchColumns() {
  const ys = batchColumns(table, $('xcol').value, $('sigmacol').value);
  $('batch-found').textContent = table === null ? 'No table.' : `${ys.length} curve${ys.length === 1 ? '' : 's'} of ${table.rows} points`;
  $('batch-fit').disabled = batchId !== 0 || ys.length === 0;
  return ys;
}

function runBatch() {
  let inputs;
  let ys;
  try {
    if (table === null) throw new Error('no data: paste a table or pick a sample');
    inputs = modelInputs();
    ys = updateBatchColumns();
    if (ys.length === 0) throw new Error(`no column matches ${JSON.stringify($('batch-columns').value)}`);
    // fitBatch shares the params() settings across the fits; the estimator starts each fit on its own.
    if (inputs.params !== undefined && inputs.autoP0) throw new Error('fixed or tied parameters are shared by every fit of a batch, the estimator (p0 auto) starts each fit apart: untick p0 auto and give initial values');
  } catch (error) {
    $('batch-status').textContent = `Cannot fit: ${error.message}`;
    $('batch-status').dataset.state = 'error';
    return;
  }
  if (worker === null) startWorker();
  const n = table.rows;
  const y = new Float64Array(ys.length * n);
  ys.forEach((name, k) => y.set(column(name), k * n));
  const sigmaCol = $('sigmacol').value ? column($('sigmacol').value) : undefined;
  let sigma;
  if (sigmaCol !== undefined) {
    sigma = new Float64Array(ys.length * n);
    ys.forEach((_, k) => sigma.set(sigmaCol, k * n));
  }
  batchId = nextId++;
  $('batch-fit').disabled = true;
  $('batch-cancel').disabled = false;
  $('batch-status').textContent = `Fitting ${ys.length} curves…`;
  $('batch-status').dataset.state = 'running';
  batchStop = globalThis.crossOriginIsolated ? new Int32Array(new SharedArrayBuffer(4)) : null;
  worker.postMessage({
    type: 'batch',
    id: batchId,
    stop: batchStop ?? undefined,
    model: { json: inputs.m.toJSON(), library: inputs.library },
    x: column($('xcol').value),
    y,
    sigma,
    names: ys,
    p0: inputs.p0,
    bounds: inputs.bounds,
    params: inputs.params,
    autoP0: inputs.autoP0,
    method: inputs.method,
    loss: inputs.loss,
    subBatchSize: Math.max(8, Math.min(256, Math.ceil(ys.length / 50))),
  });
}

function finishBatch(text, state) {
  batchId = 0;
  $('batch-cancel').disabled = true;
  $('batch-status').textContent = text;
  $('batch-status').dataset.state = state;
  updateBatchColumns();
}

function onBatchMessage(msg) {
  if (msg.type === 'progress') {
    if ($('batch-status').dataset.state === 'running') $('batch-status').textContent = `Fitting… ${msg.done} of ${msg.total} fits, ${Math.round(msg.fitsPerSecond)} fits/s`;
    return;
  }
  if (!msg.ok) {
    finishBatch(msg.cancelled ? 'Cancelled.' : `Batch failed: ${msg.error.name}: ${msg.error.message}`, msg.cancelled ? 'cancelled' : 'error');
    return;
  }
  lastBatch = msg.batch;
  showBatch(msg.batch);
  finishBatch(`Done: ${msg.batch.converged} of ${msg.batch.names.length} fits converged in ${msg.batch.elapsedMs.toFixed(0)} ms (${Math.round(msg.batch.fitsPerSecond)} fits/s).`, 'done');
}

function cancelBatch() {
  if (batchId === 0) return;
  if (batchStop !== null) Atomics.store(batchStop, 0, 1);
  worker.postMessage({ type: 'cancel', id: batchId });
  $('batch-status').textContent = 'Cancelling…';
  $('batch-status').dataset.state = 'cancelling';
}

/** Show one tab's panel (arrow keys move between the tabs). */
function selectTab(tab) {
  for (const t of document.querySelectorAll('[role=tab]')) {
    const on = t === tab;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !on;
  }
  if (tab.id === 'tab-batch') updateBatchColumns();
}

function onWorkerMessage(event) {
  const msg = event.data;
  if (msg.id !== undefined && msg.id === batchId) {
    onBatchMessage(msg);
    return;
  }
  if (msg.type === 'ready') {
    document.body.dataset.worker = 'ready';
    // Then the file readers, so that opening a Parquet or Arrow file needs no network either.
    preloadReaders().then(
      () => (document.body.dataset.readers = 'ready'),
      (error) => console.warn(`the Parquet/Arrow readers did not load: ${error.message}`),
    );
    return;
  }
  if (msg.id !== runningId) return;
  if (msg.type === 'progress') {
    if ($('status').dataset.state === 'running') $('status').textContent = `Fitting ${current.inputs.x.length} points… iteration ${msg.iteration}, cost ${msg.cost.toPrecision(6)}, ${msg.nfev} evaluations`;
    return;
  }
  if (!msg.ok) {
    if (msg.cancelled) finish('Cancelled.', 'cancelled');
    else finish(`Fit failed: ${msg.error.name}: ${msg.error.message}`);
    return;
  }
  current.result = msg.result;
  showResult(current);
  finish(`Done in ${msg.result.ms.toFixed(0)} ms: ${msg.result.message}`, 'done');
}

// ---------- file, link ----------
/** Open a text, Parquet or Arrow file as the table (a binary table is not shown in the box). */
async function openFile(file = $('file').files[0]) {
  if (file === undefined) return;
  $('sample').value = '';
  let read;
  try {
    read = await readFileTable(file);
  } catch (error) {
    $('table-status').textContent = `${file.name}: ${error.message}`;
    return;
  }
  if (read.text !== undefined) {
    $('data').value = read.text;
    readTable();
    return;
  }
  table = read;
  $('data').value = `# ${file.name}: ${read.format}, ${read.rows} rows (not shown; numeric columns ${read.names.join(', ')})`;
  $('data').dataset.binary = 'true';
  $('table-status').textContent = `${read.rows} rows × ${read.names.length} columns (${read.format} file ${file.name})`;
  setColumns(read.names);
  renderPreview();
}

function sessionState() {
  const sample = $('sample').value;
  const text = $('data').value;
  const inline = text.length <= INLINE_TABLE_MAX && $('data').dataset.binary !== 'true';
  const data = sample !== '' ? { sample } : inline ? { data: text } : {};
  const p0 = Object.fromEntries([...$('p0-table').querySelectorAll('input')].map((i) => [i.dataset.key, inputValue(i)]));
  return { ...data, x: $('xcol').value, y: $('ycol').value, sigma: $('sigmacol').value, model: $('model-kind').value, expression: $('expression').value, p0Auto: $('p0-auto').checked, p0, backend: $('backend').value, method: $('method').value, loss: $('loss').value };
}

/** Put the session in the address bar (and the clipboard, where the page may write it). */
function share() {
  const state = sessionState();
  history.replaceState(null, '', encodeSession(state));
  navigator.clipboard?.writeText(location.href).catch(() => {});
  const note = 'sample' in state || 'data' in state ? '' : ' (without the table: too large for a link, or from a binary file)';
  $('share-status').textContent = `Link to this session in the address bar${note}.`;
}

/** Restore a session from a link; false when it names no data. */
function restore(state) {
  if (typeof state.sample === 'string' && (state.sample in SAMPLES || GENERATED.includes(state.sample))) {
    $('sample').value = state.sample;
    chooseSample();
  } else if (typeof state.data === 'string') {
    $('data').value = state.data;
    readTable();
  } else return false;
  if ([...$('model-kind').options].some((o) => o.value === state.model)) $('model-kind').value = state.model;
  if (state.model === EXPRESSION) $('expression').value = String(state.expression ?? '');
  setP0Memory(state.p0 ?? {});
  $('p0-auto').checked = state.p0Auto === true;
  updateModel();
  if (table !== null) setColumns(table.names, { x: state.x, y: state.y, sigma: state.sigma ?? '' });
  for (const id of ['backend', 'method', 'loss']) if ([...$(id).options].some((o) => o.value === state[id])) $(id).value = state[id];
  $('status').textContent = 'Session restored from the link.';
  return true;
}

// ---------- wiring ----------
function init() {
  for (const [key, s] of Object.entries(SAMPLES)) $('sample').add(new Option(s.label, key));
  $('sample').add(new Option(`Large double exponential (${LARGE_ROWS.toLocaleString('en')} points, generated)`, 'large'));
  $('sample').add(new Option(`Large Gaussian peak (${PEAK_ROWS.toLocaleString('en')} points, generated; zoomable chart)`, 'peak'));
  $('sample').add(new Option(`Batch: ${BATCH_CURVES.toLocaleString('en')} Gaussian peaks (one column each, generated)`, 'peaks'));
  fillModelList();
  $('sample').addEventListener('change', chooseSample);
  $('data').addEventListener('input', () => {
    $('sample').value = '';
    readTable();
  });
  $('model-kind').addEventListener('change', () => {
    setP0Memory({});
    $('p0-auto').checked = true;
    updateModel();
  });
  $('expression').addEventListener('input', updateModel);
  $('p0-auto').addEventListener('change', updateModel);
  // A fixed checkbox shows its value cell even while the estimator is on.
  $('p0-table').addEventListener('change', (e) => {
    if (e.target.type === 'checkbox') updateModel();
  });
  $('fit').addEventListener('click', runFit);
  $('cancel').addEventListener('click', cancelFit);
  $('dl-json').addEventListener('click', () => download('nlsq-result.json', 'application/json', resultJSON(current)));
  $('dl-csv').addEventListener('click', () => download('nlsq-curve.csv', 'text/csv', curveCSV(current)));
  $('dl-svg').addEventListener('click', () => download('nlsq-fit.svg', 'image/svg+xml', current.result.svg ?? ''));
  $('dl-png').addEventListener('click', () => {
    figurePNG(current).then(
      (png) => download('nlsq-fit.png', 'image/png', png),
      (error) => ($('status').textContent = `PNG: ${error.message}`),
    );
  });
  $('zoom-reset').addEventListener('click', resetZoom);
  $('batch-fit').addEventListener('click', runBatch);
  $('batch-cancel').addEventListener('click', cancelBatch);
  $('batch-columns').addEventListener('input', updateBatchColumns);
  for (const id of ['xcol', 'sigmacol']) $(id).addEventListener('change', updateBatchColumns);
  wireBatchDownloads(() => lastBatch, download);
  const tabs = [$('tab-single'), $('tab-batch')];
  for (const tab of tabs) {
    tab.addEventListener('click', () => selectTab(tab));
    tab.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
      const next = tabs[(tabs.indexOf(tab) + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
      selectTab(next);
      next.focus();
    });
  }
  $('dl-nlsq').addEventListener('click', () => download('fit.ts', 'text/plain', nlsqCode(current)));
  $('dl-scipy').addEventListener('click', () => download('fit.py', 'text/x-python', scipyCode(current)));
  $('file').addEventListener('change', () => openFile());
  // A file dropped on the table box replaces its text.
  $('data').addEventListener('dragover', (e) => e.preventDefault());
  $('data').addEventListener('drop', (e) => {
    const file = e.dataTransfer?.files?.[0];
    if (file === undefined) return;
    e.preventDefault();
    void openFile(file);
  });
  $('share').addEventListener('click', share);
  let restored = false;
  try {
    const state = decodeSession(location.hash);
    if (state !== null) restored = restore(state);
  } catch (error) {
    $('status').textContent = error.message;
  }
  if (!restored) {
    $('sample').value = 'decay';
    chooseSample();
  }
  // Start the worker now: it loads the backend and the figure code while the user reads the page.
  if (worker === null) startWorker();
  document.body.dataset.ready = 'true';
}

init();
