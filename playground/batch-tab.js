/**
 * The playground's batch tab: every column of the table that matches a pattern is one curve over
 * the x column; all are fitted with the page's model and parameter table by `fitBatch` in the
 * worker, with fits done and fits/s shown live (its `onProgress`), then the summary,
 * `plotBatch`'s histograms of each parameter, a table of the fits and a CSV download
 * (name, status, success, each parameter and its standard error, message).
 */
const $ = (id) => /** @type {any} */ (document.getElementById(id));
/** Rows of the per-fit table shown (the CSV has them all). */
export const BATCH_TABLE_ROWS = 200;

/** The column names matching a pattern (`*` any run of characters, `?` one), in table order. */
export function matchColumns(names, pattern) {
  const re = new RegExp(`^${pattern.trim().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return names.filter((n) => re.test(n));
}

/** The y columns of the batch: the matches, less the x and σ columns. */
export function batchColumns(table, xName, sigmaName) {
  if (table === null) return [];
  return matchColumns(table.names, $('batch-columns').value || '*').filter((n) => n !== xName && n !== sigmaName);
}

/** The CSV of a batch result: one row per fit. */
export function batchCSV(b) {
  const p = b.paramNames.length;
  const esc = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const lines = [['name', 'status', 'success', ...b.paramNames.flatMap((n) => [n, `${n}_stderr`]), 'message'].join(',')];
  b.names.forEach((name, i) => {
    const values = b.paramNames.flatMap((_, j) => [b.popt[i * p + j], b.perr[i * p + j]]);
    const ok = !['max-nfev', 'improper-input', 'stopped'].includes(b.status[i]);
    lines.push([name, b.status[i], String(ok), ...values.map(String), b.messages[i]].map(esc).join(','));
  });
  return `${lines.join('\n')}\n`;
}

const fmt = (v) => (Number.isFinite(v) ? v.toPrecision(8) : String(v));

/** Show a batch result: report, histograms, the first rows of the table. */
export function showBatch(b) {
  $('batch-report').textContent = b.report;
  if (b.svg) $('batch-figure').innerHTML = b.svg;
  else $('batch-figure').textContent = `(no figure: ${b.svgError})`;
  const p = b.paramNames.length;
  const head = document.createElement('tr');
  for (const name of ['curve', 'status', ...b.paramNames.flatMap((n) => [n, `± ${n}`])]) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = name;
    head.append(th);
  }
  $('batch-table').tHead.replaceChildren(head);
  const rows = [];
  for (let i = 0; i < Math.min(b.names.length, BATCH_TABLE_ROWS); i++) {
    const tr = document.createElement('tr');
    tr.dataset.curve = b.names[i];
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = b.names[i];
    tr.append(th);
    tr.insertCell().textContent = b.status[i];
    for (let j = 0; j < p; j++) {
      tr.insertCell().textContent = fmt(b.popt[i * p + j]);
      tr.insertCell().textContent = fmt(b.perr[i * p + j]);
    }
    rows.push(tr);
  }
  $('batch-table').tBodies[0].replaceChildren(...rows);
  $('batch-table-note').textContent = b.names.length > BATCH_TABLE_ROWS ? `The first ${BATCH_TABLE_ROWS} of ${b.names.length} fits; the CSV holds them all.` : '';
  $('batch-results').hidden = false;
}

/** Wire the batch tab's download button to the last result (`last()`), offered by `download(name, type, text)`. */
export function wireBatchDownloads(last, download) {
  $('batch-dl-csv').addEventListener('click', () => {
    const b = last();
    if (b !== null) download('nlsq-batch.csv', 'text/csv', batchCSV(b));
  });
}
