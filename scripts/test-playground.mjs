/**
 * End-to-end test of the playground in headless Debian Chromium (playwright-core, fresh profile):
 * builds the page (scripts/build-playground.mjs) into a temporary folder, serves it on a free
 * port, and drives it as a user does:
 *
 *   1. paste a known table, pick a library model, Fit: the parameters shown equal the library's
 *      own `curveFit` on the same data and backend (Node) to 1e-9 relative; the figure is an SVG;
 *      the downloaded result JSON holds the same parameters, the CSV the same ŷ and residuals;
 *   2. "Link to this session": the link, opened in a new tab, restores the table, columns,
 *      model and parameter table, and its fit shows the same parameters; a file chosen in "Open a file" or dropped on
 *      the table box becomes the table;
 *   3. Parquet and Arrow files (written here by hyparquet-writer and apache-arrow) open as
 *      tables of their numeric columns, and fit as the library does on the same columns;
 *      a max typed in the parameter table: the fit equals curveFit with those bounds (1e-9), the
 *      parameter sits on it, and the nlsq code carries the bounds;
 *   4. type a broken expression: the page shows `model()`'s ModelParseError text with its caret,
 *      and Fit is disabled; the fixed expression lists its parameters;
 *   5. start a long fit (3 000 000 points), the main thread answers a timer within 100 ms
 *      while it runs; Cancel, see "Cancelled", then fit again from the
 *      keyboard (NIST Misra1a with method lm from "Advanced", certified values to 1e-6);
 *   6. fixed and tied parameters from the parameter table: the fit equals curveFit of the model
 *      with the fixed value substituted (1e-9), and of the model with the tie substituted;
 *   7. the figure downloads as a PNG (a valid PNG of twice the SVG's size), the zoomable chart's
 *      too; a 400 000-point fit shows the zoomable uPlot chart instead of the SVG figure, with
 *      the parameters of curveFit on the same generated data, and a drag zooms it;
 *   8. the model gallery: a picture per library model, the path the model itself gives
 *      (model-pictures.js run in Node), and a click picks the model;
 *   9. the batch tab: every y column fitted by fitBatch in the worker equals fitBatch in Node
 *      (1e-9) in the table and in the CSV download; 2000 generated curves show fits/s live and
 *      the parameter histograms;
 *  10. nothing is wider than a phone's screen (390 px); every control has an accessible name;
 *   7. after load (page and worker ready) the page makes no network request; it logged no
 *      console error and threw no error during the suite.
 *
 *   npm run test:playground
 *
 * Prints `ok`/`FAIL` per case and `[playground] N passed, M failed` (the line `.ci/run` counts);
 * screenshots go to playground/screenshots/ (ignored; `page.png` is the README's picture, copied
 * to figures/playground.png by hand when the page changes). Runs under `node --import tsx` so the
 * reference fit imports the library from src/.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPlayground } from './build-playground.mjs';
import { servePlayground } from './serve-playground.mjs';
import { launchChromium } from './lib/chromium.mjs';
import { tableToIPC, tableFromArrays } from 'apache-arrow';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { curveFit, fitBatch, model, models } from '../src/index.ts';
import { modelPath } from '../playground/model-pictures.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const shots = join(root, 'playground', 'screenshots');
const TAG = '[playground]';
const FIT_TIMEOUT_MS = Number(process.env.NLSQ_PLAYGROUND_TIMEOUT_MS ?? 120_000);

/** A known table: a decay with fixed, irregular noise, with a header row, comma-separated. */
function knownTable() {
  const rows = ['time,counts'];
  for (let i = 0; i < 40; i++) {
    const t = i * 0.25;
    rows.push(`${t},${(4.5 * Math.exp(-0.8 * t) + 0.7 + 0.03 * Math.sin(12.9898 * i)).toPrecision(10)}`);
  }
  return rows.join('\n');
}

function columnsOf(text) {
  const body = text.split('\n').slice(1).map((l) => l.split(',').map(Number));
  return { x: body.map((r) => r[0]), y: body.map((r) => r[1]) };
}

function relClose(a, b, rtol) {
  return Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b), 1e-300);
}

async function waitState(page, states) {
  await page.waitForFunction((s) => s.includes(document.getElementById('status').dataset.state), states, { timeout: FIT_TIMEOUT_MS });
  return page.evaluate(() => ({ state: document.getElementById('status').dataset.state, text: document.getElementById('status').textContent }));
}

async function waitBatch(page) {
  await page.waitForFunction(() => ['done', 'error', 'cancelled'].includes(document.getElementById('batch-status').dataset.state), undefined, { timeout: FIT_TIMEOUT_MS });
  return page.evaluate(() => ({ state: document.getElementById('batch-status').dataset.state, text: document.getElementById('batch-status').textContent }));
}

/** A download's bytes, after clicking `selector`. */
async function downloadBytes(page, selector) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return readFileSync(await d.path());
}

/** Width and height of a PNG, or an error when the bytes are not one. */
function pngSize(bytes) {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 33 || signature.some((b, i) => bytes[i] !== b)) throw new Error(`not a PNG (${bytes.length} bytes, starting ${[...bytes.subarray(0, 8)].join(' ')})`);
  if (bytes.toString('latin1', 12, 16) !== 'IHDR') throw new Error('PNG without an IHDR chunk first');
  if (bytes.toString('latin1', bytes.length - 8, bytes.length - 4) !== 'IEND') throw new Error('PNG without an IEND chunk last');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** The page's large peak sample, generated here the same way (main.js peakTable). */
function peakData(n = 400_000) {
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  let s = 777;
  for (let i = 0; i < n; i++) {
    s = (s * 16807) % 2147483647;
    x[i] = (20 * i) / n;
    y[i] = 3 * Math.exp(-((x[i] - 8) ** 2) / (2 * 1.5 ** 2)) + 0.2 * (s / 2147483647 - 0.5);
  }
  return { x, y };
}

/** Gaussian peaks sharing x, as a CSV table x,y1..yk with irregular noise. */
function peaksCsv(k = 6, n = 40) {
  const x = Array.from({ length: n }, (_, i) => i * 0.25);
  const ys = Array.from({ length: k }, (_, c) => x.map((v, i) => Number(((1 + 0.3 * c) * Math.exp(-((v - 3 - 0.8 * c) ** 2) / (2 * (0.7 + 0.1 * c) ** 2)) + 0.02 * Math.sin(7.3 * i + c)).toPrecision(10))));
  const rows = [['x', ...ys.map((_, c) => `y${c + 1}`)].join(',')];
  x.forEach((v, i) => rows.push([v, ...ys.map((y) => y[i])].join(',')));
  return { text: rows.join('\n'), x, ys };
}

async function shownParams(page) {
  return page.$$eval('#param-table tbody tr', (rows) => rows.map((r) => ({ name: r.dataset.param, value: Number(r.cells[1].textContent) })));
}

const CASES = [
  [
    'pasted table + library model: parameters equal curveFit on the same data',
    async (page) => {
      const text = knownTable();
      await page.selectOption('#sample', '');
      await page.fill('#data', text);
      await page.selectOption('#xcol', 'time');
      await page.selectOption('#ycol', 'counts');
      await page.selectOption('#sigmacol', '');
      await page.selectOption('#model-kind', 'exponentialDecay');
      await page.check('#p0-auto');
      await page.click('#fit');
      const done = await waitState(page, ['done', 'error']);
      if (done.state !== 'done') throw new Error(`fit ended with: ${done.text}`);
      await page.screenshot({ path: join(shots, '1-fit.png'), fullPage: true });
      await page.locator('#results').screenshot({ path: join(shots, '1-result.png') });
      const backendText = await page.textContent('#backend-info');
      const backend = /^Backend ([\w-]+):/.exec(backendText)?.[1];
      if (backend === undefined) throw new Error(`no backend shown: ${backendText}`);
      const { x, y } = columnsOf(text);
      const ref = await curveFit(models.exponentialDecay(), x, y, backend === 'webgpu' ? {} : { backend });
      const shown = await shownParams(page);
      if (shown.map((p) => p.name).join() !== ref.paramNames.join()) throw new Error(`parameters ${shown.map((p) => p.name)} ≠ ${ref.paramNames}`);
      shown.forEach((p, i) => {
        if (!relClose(p.value, ref.popt[i], 1e-9)) throw new Error(`${p.name} shown ${p.value}, curveFit ${ref.popt[i]} (backend ${backend})`);
      });
      const svg = await page.$('#figure svg');
      if (svg === null) throw new Error(`no SVG figure: ${await page.textContent('#figure')}`);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#dl-json')]);
      const json = JSON.parse(readFileSync(await download.path(), 'utf8'));
      json.popt.forEach((v, i) => {
        if (!relClose(v, ref.popt[i], 1e-12)) throw new Error(`JSON popt[${i}] ${v} ≠ ${ref.popt[i]}`);
      });
      const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#dl-csv')]);
      const yhat = ref.predict(x);
      const dataRows = readFileSync(await csv.path(), 'utf8').split('\n').filter((l) => l.startsWith('data,'));
      if (dataRows.length !== x.length) throw new Error(`CSV has ${dataRows.length} data rows, expected ${x.length}`);
      dataRows.forEach((line, i) => {
        const [, xv, yv, fv, rv] = line.split(',').map(Number);
        if (xv !== x[i] || yv !== y[i] || !relClose(fv, yhat[i], 1e-9) || !relClose(rv, y[i] - yhat[i], 1e-6)) throw new Error(`CSV row ${i}: ${line}`);
      });
      return `backend ${backend}, ${shown.map((p) => `${p.name}=${p.value}`).join(' ')}`;
    },
  ],
  [
    'a shared link restores the session and the same fit; a file opens as the table',
    async (page, watch) => {
      // A max that the session must carry (inactive: c is near 0.7).
      await page.fill('#hi-c', '5');
      await page.click('#fit');
      const fitted = await waitState(page, ['done', 'error']);
      if (fitted.state !== 'done') throw new Error(`fit with a max: ${fitted.text}`);
      const first = await shownParams(page);
      await page.click('#share');
      await page.fill('#hi-c', '');
      const url = page.url();
      if (!url.includes('#s=')) throw new Error(`no session in the link: ${url}`);
      const other = await page.context().newPage();
      watch(other);
      try {
        await other.goto(url);
        await other.waitForSelector('body[data-ready="true"]');
        if ((await other.inputValue('#data')) !== knownTable()) throw new Error('the table was not restored');
        const picked = await Promise.all(['#xcol', '#ycol', '#model-kind'].map((id) => other.inputValue(id)));
        if (picked.join() !== 'time,counts,exponentialDecay') throw new Error(`restored ${picked}`);
        if ((await other.inputValue('#hi-c')) !== '5' || (await other.inputValue('#p0-a')) !== 'auto') throw new Error('the parameter table was not restored');
        await other.click('#fit');
        const done = await waitState(other, ['done', 'error']);
        if (done.state !== 'done') throw new Error(`fit from the link: ${done.text}`);
        const again = await shownParams(other);
        if (JSON.stringify(again) !== JSON.stringify(first)) throw new Error(`link fit ${JSON.stringify(again)} ≠ ${JSON.stringify(first)}`);
        await other.setInputFiles('#file', { name: 'misra.txt', mimeType: 'text/plain', buffer: Buffer.from('y x\n10.07 77.6\n14.73 114.9\n17.94 141.1\n') });
        await other.waitForFunction(() => document.getElementById('table-status').textContent.startsWith('3 rows'));
        // Dropped on the table box: a DataTransfer with one file.
        const drop = await other.evaluateHandle(() => {
          const dt = new DataTransfer();
          dt.items.add(new File(['a\tb\n1\t2\n3\t4\n5\t6\n7\t8\n'], 'drop.tsv', { type: 'text/tab-separated-values' }));
          return dt;
        });
        await other.dispatchEvent('#data', 'drop', { dataTransfer: drop });
        await other.waitForFunction(() => document.getElementById('table-status').textContent.startsWith('4 rows'));
      } finally {
        await other.close();
      }
      return `${url.length} characters`;
    },
  ],
  [
    'Parquet and Arrow files open as tables; the fit equals curveFit on their columns',
    async (page) => {
      const { x, y } = columnsOf(knownTable());
      const k = Int32Array.from(x, (_, i) => i);
      const parquet = Buffer.from(parquetWriteBuffer({
        columnData: [
          { name: 'label', data: x.map((_, i) => `r${i}`), type: 'STRING' },
          { name: 'time', data: Float64Array.from(x), type: 'DOUBLE' },
          { name: 'n', data: BigInt64Array.from(k, (v) => BigInt(v)), type: 'INT64' },
          { name: 'counts', data: Float64Array.from(y), type: 'DOUBLE' },
        ],
      }));
      const arrow = Buffer.from(tableToIPC(tableFromArrays({ time: Float64Array.from(x), counts: Float64Array.from(y) }), 'file'));
      const ref = await curveFit(models.exponentialDecay(), x, y, { backend: 'wasm-simd' });
      const notes = [];
      for (const [name, buffer, columns] of [['decay.parquet', parquet, 'time,n,counts'], ['decay.arrow', arrow, 'time,counts']]) {
        await page.setInputFiles('#file', { name, mimeType: 'application/octet-stream', buffer });
        await page.waitForFunction((n) => document.getElementById('table-status').textContent.includes(n), name);
        const status = await page.textContent('#table-status');
        if (!status.startsWith(`${x.length} rows`)) throw new Error(`${name}: ${status}`);
        const listed = await page.$$eval('#xcol option', (os) => os.map((o) => o.value).join());
        if (listed !== columns) throw new Error(`${name}: columns ${listed}, expected ${columns}`);
        await page.selectOption('#xcol', 'time');
        await page.selectOption('#ycol', 'counts');
        await page.selectOption('#model-kind', 'exponentialDecay');
        await page.selectOption('#backend', 'wasm');
        await page.click('#fit');
        const done = await waitState(page, ['done', 'error']);
        if (done.state !== 'done') throw new Error(`${name}: ${done.text}`);
        const shown = await shownParams(page);
        shown.forEach((p, i) => {
          if (!relClose(p.value, ref.popt[i], 1e-9)) throw new Error(`${name}: ${p.name} shown ${p.value}, curveFit ${ref.popt[i]}`);
        });
        notes.push(status);
      }
      await page.selectOption('#backend', 'auto');
      return notes.join('; ');
    },
  ],
  [
    'bounds from the min/max cells: the fit equals curveFit with the same bounds, held at the active one',
    async (page) => {
      await page.selectOption('#sample', 'decay');
      await page.fill('#hi-k', '1');
      await page.click('#fit');
      const done = await waitState(page, ['done', 'error']);
      if (done.state !== 'done') throw new Error(`fit ended with: ${done.text}`);
      const backend = /^Backend ([\w-]+):/.exec(await page.textContent('#backend-info'))?.[1];
      const text = await page.inputValue('#data');
      const rows = text.split('\n').slice(1).map((l) => l.split(',').map(Number));
      const bounds = [[-Infinity, 0, -Infinity], [Infinity, 1, Infinity]]; // k ≥ 0 is the model's default
      const ref = await curveFit(models.exponentialDecay(), rows.map((r) => r[0]), rows.map((r) => r[1]), { sigma: rows.map((r) => r[2]), bounds, backend });
      const shown = await shownParams(page);
      shown.forEach((p, i) => {
        if (!relClose(p.value, ref.popt[i], 1e-9)) throw new Error(`${p.name} shown ${p.value}, curveFit ${ref.popt[i]}`);
      });
      if (Math.abs(shown[1].value - 1) > 1e-9) throw new Error(`k = ${shown[1].value}, not held at its upper bound 1`);
      const code = await page.textContent('#code');
      if (!code.includes('bounds: [[-Infinity, 0, -Infinity], [Infinity, 1, Infinity]]')) throw new Error(`nlsq code without the bounds:\n${code}`);
      await page.fill('#hi-k', '');
      return shown.map((p) => `${p.name}=${p.value}`).join(' ');
    },
  ],
  [
    'broken expression: the parse error with its caret; Fit disabled',
    async (page) => {
      const broken = 'a*exp(-b*x';
      let expected;
      try {
        model(broken);
      } catch (error) {
        expected = error.message;
      }
      await page.selectOption('#model-kind', '__expression__');
      await page.fill('#expression', broken);
      const shown = await page.textContent('#parse-error');
      if (!(await page.isVisible('#parse-error'))) throw new Error('parse error not visible');
      if (shown !== expected) throw new Error(`parse error shown ${JSON.stringify(shown)}, model() says ${JSON.stringify(expected)}`);
      if (!shown.includes('^')) throw new Error('no caret in the message');
      if (!(await page.isDisabled('#fit'))) throw new Error('Fit is enabled for a broken expression');
      await page.screenshot({ path: join(shots, '2-parse-error.png'), fullPage: true });
      await page.fill('#expression', 'a*exp(-b*x) + c');
      const found = await page.textContent('#params-found');
      if (found !== 'Parameters found: a, b, c') throw new Error(`params found: ${found}`);
      if (await page.isVisible('#parse-error')) throw new Error('parse error still visible after the fix');
      return shown.split('\n')[0];
    },
  ],
  [
    'long fit: Cancel stops it, the page recovers and fits again',
    async (page) => {
      // The CPU backend and a far start: seconds of work, so Cancel lands mid-fit.
      await page.selectOption('#sample', 'large');
      await page.selectOption('#backend', 'cpu');
      const t0 = Date.now();
      await page.click('#fit');
      // Mid-fit: the worker has reported an iteration.
      await page.waitForFunction(() => /iteration \d+/.test(document.getElementById('status').textContent), undefined, { timeout: FIT_TIMEOUT_MS });
      const progress = await page.textContent('#status');
      // The page stays responsive: a timer on the main thread fires at once during the fit.
      const lagMs = await page.evaluate(() => new Promise((done) => {
        const t = performance.now();
        setTimeout(() => done(performance.now() - t), 0);
      }));
      if (lagMs > 100) throw new Error(`the main thread answered a timer after ${lagMs.toFixed(0)} ms during the fit`);
      await page.click('#cancel');
      const cancelled = await waitState(page, ['cancelled', 'done', 'error']);
      if (cancelled.state !== 'cancelled') throw new Error(`after Cancel: ${cancelled.state}: ${cancelled.text}`);
      // "Cancelled." is the AbortSignal path; "(worker stopped)" would be the fallback that ends the worker.
      if (cancelled.text !== 'Cancelled.') throw new Error(`the AbortSignal did not stop the fit: ${cancelled.text}`);
      await page.screenshot({ path: join(shots, '3-cancelled.png'), fullPage: true });
      const cancelMs = Date.now() - t0;
      if (await page.isDisabled('#fit')) throw new Error('Fit stays disabled after Cancel');
      await page.selectOption('#backend', 'auto');
      await page.selectOption('#sample', 'misra1a');
      await page.click('#advanced summary');
      await page.selectOption('#method', 'lm');
      // From the keyboard this time: focus Fit and press Enter.
      await page.focus('#fit');
      await page.keyboard.press('Enter');
      const again = await waitState(page, ['done', 'error']);
      if (again.state !== 'done') throw new Error(`fit after cancel: ${again.text}`);
      const stats = await page.textContent('#stats');
      if (!/AIC = /.test(stats) || !/method lm/.test(stats)) throw new Error(`statistics: ${stats}`);
      await page.selectOption('#method', '');
      const shown = await shownParams(page);
      // NIST certified values of Misra1a.
      if (!relClose(shown[0].value, 238.94212918, 1e-6) || !relClose(shown[1].value, 5.5015643181e-4, 1e-6)) {
        throw new Error(`Misra1a: ${JSON.stringify(shown)}`);
      }
      await page.screenshot({ path: join(shots, '4-misra1a.png'), fullPage: true });
      await page.screenshot({ path: join(shots, 'page.png'), fullPage: true, type: 'png', scale: 'css' });
      return `"${progress}"; timer lag ${lagMs.toFixed(1)} ms; ${cancelled.text} ${cancelMs} ms after Fit; then ${again.text}`;
    },
  ],
  [
    'fixed and tied parameters: the fit equals curveFit of the substituted model',
    async (page) => {
      const text = knownTable();
      const { x, y } = columnsOf(text);
      await page.selectOption('#sample', '');
      await page.fill('#data', text);
      await page.selectOption('#xcol', 'time');
      await page.selectOption('#ycol', 'counts');
      await page.selectOption('#model-kind', 'exponentialDecay');
      await page.check('#p0-auto');
      await page.focus('#fx-c');
      await page.keyboard.press('Space');
      if (!(await page.isChecked('#fx-c'))) throw new Error('Space did not tick the fixed box');
      if ((await page.evaluate(() => document.activeElement?.id)) !== 'fx-c') throw new Error('the redrawn table lost the keyboard focus');
      if (await page.isDisabled('#p0-c')) throw new Error('the value of a fixed parameter stays disabled while p0 is auto');
      await page.fill('#p0-c', '0.7');
      await page.click('#fit');
      let done = await waitState(page, ['done', 'error']);
      if (done.state !== 'done') throw new Error(`fixed c: ${done.text}`);
      const backend = /^Backend ([\w-]+):/.exec(await page.textContent('#backend-info'))?.[1];
      const options = backend === 'webgpu' ? {} : { backend };
      const est = models.exponentialDecay().estimateP0([Float64Array.from(x)], Float64Array.from(y));
      const fixedRef = await curveFit(model('a*exp(-k*x) + 0.7', { params: ['a', 'k'] }), x, y, { ...options, p0: [est[0], Math.max(est[1], 0)], bounds: [[-Infinity, 0], [Infinity, Infinity]] });
      const shown = await shownParams(page);
      if (shown.map((p) => p.name).join() !== 'a,k,c' || shown[2].value !== 0.7) throw new Error(`shown ${JSON.stringify(shown)}`);
      fixedRef.popt.forEach((v, i) => {
        if (!relClose(shown[i].value, v, 1e-9)) throw new Error(`fixed c: ${shown[i].name} shown ${shown[i].value}, substituted fit ${v}`);
      });
      const code = await page.textContent('#code');
      if (!code.includes('c: { value: 0.7, vary: false }')) throw new Error(`nlsq code without the fixed parameter:\n${code}`);
      // A tie: c follows a.
      await page.selectOption('#model-kind', '__expression__');
      await page.fill('#expression', 'a*exp(-b*x) + c');
      await page.fill('#tie-c', 'a/6');
      await page.click('#fit');
      done = await waitState(page, ['done', 'error']);
      if (done.state !== 'done') throw new Error(`tied c: ${done.text}`);
      const tiedRef = await curveFit(model('a*exp(-b*x) + a/6'), x, y, { ...options, p0: [1, 1] });
      const tied = await shownParams(page);
      tiedRef.popt.forEach((v, i) => {
        if (!relClose(tied[i].value, v, 1e-9)) throw new Error(`tied c: ${tied[i].name} shown ${tied[i].value}, substituted fit ${v}`);
      });
      if (!relClose(tied[2].value, tied[0].value / 6, 1e-12)) throw new Error(`c = ${tied[2].value} is not a/6 = ${tied[0].value / 6}`);
      await page.screenshot({ path: join(shots, '5-fixed-tied.png'), fullPage: true });
      await page.fill('#tie-c', '');
      return `fixed: ${shown.map((p) => `${p.name}=${p.value}`).join(' ')}; tied: ${tied.map((p) => `${p.name}=${p.value}`).join(' ')}`;
    },
  ],
  [
    'PNG download of the figure; a 400 000-point fit shows the zoomable chart, which zooms',
    async (page) => {
      const svgSize = await page.evaluate(() => {
        const svg = document.querySelector('#figure svg');
        return svg ? { width: Number.parseFloat(svg.getAttribute('width')), height: Number.parseFloat(svg.getAttribute('height')) } : null;
      });
      if (svgSize === null) throw new Error('no SVG figure to start from');
      const png = pngSize(await downloadBytes(page, '#dl-png'));
      if (png.width !== Math.round(2 * svgSize.width) || png.height !== Math.round(2 * svgSize.height)) throw new Error(`PNG ${png.width}×${png.height} for an SVG of ${svgSize.width}×${svgSize.height}`);
      await page.selectOption('#sample', 'peak');
      await page.click('#fit');
      const done = await waitState(page, ['done', 'error']);
      if (done.state !== 'done') throw new Error(`large peak: ${done.text}`);
      if (await page.$('#figure svg')) throw new Error('an SVG figure for 400 000 points');
      if (!(await page.isVisible('#zoom canvas'))) throw new Error('no zoomable chart');
      const backend = /^Backend ([\w-]+):/.exec(await page.textContent('#backend-info'))?.[1];
      const { x, y } = peakData();
      const ref = await curveFit(models.gaussian(), x, y, backend === 'webgpu' ? {} : { backend });
      const shown = await shownParams(page);
      shown.forEach((p, i) => {
        if (!relClose(p.value, ref.popt[i], 1e-9)) throw new Error(`${p.name} shown ${p.value}, curveFit ${ref.popt[i]} (backend ${backend})`);
      });
      const before = await page.evaluate(() => ({ ...document.getElementById('zoom').dataset }));
      if (!(Number(before.points) > 0 && Number(before.points) <= 3000)) throw new Error(`the chart draws ${before.points} points`);
      await page.locator('#zoom .u-over').scrollIntoViewIfNeeded();
      const box = await page.locator('#zoom .u-over').boundingBox();
      await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.45, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
      await page.waitForFunction((xmax) => document.getElementById('zoom').dataset.xmax !== xmax, before.xmax);
      const after = await page.evaluate(() => ({ ...document.getElementById('zoom').dataset }));
      const span = (d) => Number(d.xmax) - Number(d.xmin);
      if (!(span(after) < 0.25 * span(before)) || !(Number(after.points) > 100)) throw new Error(`zoom: ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
      const chartPng = pngSize(await downloadBytes(page, '#dl-png'));
      await page.screenshot({ path: join(shots, '6-zoom.png'), fullPage: true });
      await page.click('#zoom-reset');
      return `figure PNG ${png.width}×${png.height}; zoom x ${Number(before.xmin).toFixed(2)}–${Number(before.xmax).toFixed(2)} → ${Number(after.xmin).toFixed(2)}–${Number(after.xmax).toFixed(2)}, ${after.points} points drawn; chart PNG ${chartPng.width}×${chartPng.height}`;
    },
  ],
  [
    'model gallery: each library model drawn from the model itself; a click picks it',
    async (page) => {
      const drawn = await page.$$eval('#model-gallery button', (bs) => bs.map((b) => ({ name: b.dataset.model, d: b.querySelector('path')?.getAttribute('d') ?? null })));
      const library = Object.entries(models).filter(([name]) => name !== 'polynomial' && models[name]().variables.length === 1);
      if (drawn.length !== library.length) throw new Error(`${drawn.length} pictures for ${library.length} models`);
      for (const [name, factory] of library) {
        const got = drawn.find((p) => p.name === name);
        if (!got?.d) throw new Error(`no picture of ${name}`);
        if (got.d !== modelPath(factory(), name)) throw new Error(`${name}: the picture is not the model's curve`);
      }
      await page.click('#model-gallery button[data-model="lorentzian"]');
      if ((await page.inputValue('#model-kind')) !== 'lorentzian') throw new Error('the click did not pick the model');
      if ((await page.getAttribute('#model-gallery button[data-model="lorentzian"]', 'aria-pressed')) !== 'true') throw new Error('the picked model is not marked');
      return `${drawn.length} pictures`;
    },
  ],
  [
    'batch tab: fitBatch in the worker equals fitBatch in Node; 2000 curves show fits/s and histograms',
    async (page) => {
      const { text, x, ys } = peaksCsv();
      await page.selectOption('#sample', '');
      await page.fill('#data', text);
      await page.selectOption('#xcol', 'x');
      await page.selectOption('#sigmacol', '');
      await page.selectOption('#model-kind', 'gaussian');
      await page.check('#p0-auto');
      await page.click('#tab-batch');
      await page.fill('#batch-columns', 'y*');
      const found = await page.textContent('#batch-found');
      if (found !== `${ys.length} curves of ${x.length} points`) throw new Error(`found: ${found}`);
      await page.click('#batch-fit');
      let done = await waitBatch(page);
      if (done.state !== 'done') throw new Error(`batch: ${done.text}`);
      const ref = await fitBatch(models.gaussian(), { x, y: ys }, { p0: 'auto' });
      const csv = (await downloadBytes(page, '#batch-dl-csv')).toString('utf8').trim().split('\n').map((l) => l.split(','));
      if (csv[0].slice(0, 9).join() !== 'name,status,success,a,a_stderr,mu,mu_stderr,sigma,sigma_stderr') throw new Error(`CSV header ${csv[0]}`);
      const shown = await page.$$eval('#batch-table tbody tr', (rows) => rows.map((r) => [...r.cells].slice(2).map((c) => Number(c.textContent))));
      for (let i = 0; i < ys.length; i++) {
        const row = csv[i + 1];
        if (row[0] !== `y${i + 1}` || row[2] !== 'true') throw new Error(`CSV row ${i + 1}: ${row}`);
        for (let j = 0; j < 3; j++) {
          const [v, e] = [Number(row[3 + 2 * j]), Number(row[4 + 2 * j])];
          if (!relClose(v, ref.popt[3 * i + j], 1e-9) || !relClose(e, ref.perr[3 * i + j], 1e-9)) throw new Error(`fit ${i} parameter ${j}: page ${v} ± ${e}, fitBatch ${ref.popt[3 * i + j]} ± ${ref.perr[3 * i + j]}`);
          if (!relClose(shown[i][2 * j], ref.popt[3 * i + j], 1e-7)) throw new Error(`table fit ${i} parameter ${j}: ${shown[i][2 * j]}`);
        }
      }
      // Fixed parameters are shared by every fit: with the estimator on, the page says so and fits nothing.
      await page.check('#fx-a');
      await page.click('#batch-fit');
      const refused = await page.textContent('#batch-status');
      if (!refused.startsWith('Cannot fit: fixed or tied parameters are shared by every fit of a batch')) throw new Error(`fixed + auto in a batch: ${refused}`);
      await page.uncheck('#fx-a');
      // The generated batch: watch the status while it runs.
      await page.selectOption('#sample', 'peaks');
      await page.fill('#batch-columns', 'y*');
      await page.evaluate(() => {
        window.__batchTexts = [];
        new MutationObserver(() => window.__batchTexts.push(document.getElementById('batch-status').textContent)).observe(document.getElementById('batch-status'), { childList: true, characterData: true, subtree: true });
      });
      await page.click('#batch-fit');
      done = await waitBatch(page);
      if (done.state !== 'done') throw new Error(`generated batch: ${done.text}`);
      const texts = await page.evaluate(() => window.__batchTexts);
      const live = texts.filter((t) => /^Fitting… \d+ of 2000 fits, \d+ fits\/s$/.test(t));
      if (live.length === 0) throw new Error(`no live fits/s: ${JSON.stringify(texts.slice(0, 5))}`);
      if (!/^Done: \d+ of 2000 fits converged in \d+ ms \(\d+ fits\/s\)\.$/.test(done.text)) throw new Error(`status ${done.text}`);
      const bars = await page.$$eval('#batch-figure svg path, #batch-figure svg rect', (els) => els.length);
      if (bars < 10) throw new Error(`histogram figure with ${bars} marks`);
      const rows = await page.$$eval('#batch-table tbody tr', (r) => r.length);
      if (rows !== 200 || !(await page.textContent('#batch-table-note')).includes('200 of 2000')) throw new Error(`${rows} table rows`);
      await page.screenshot({ path: join(shots, '7-batch.png'), fullPage: true });
      await page.click('#tab-single');
      return `${live.length} live updates, e.g. "${live[live.length - 1]}"; ${done.text}`;
    },
  ],
  [
    'readable at phone width: nothing wider than a 390 px screen',
    async (page) => {
      const size = page.viewportSize();
      await page.setViewportSize({ width: 390, height: 844 });
      try {
        await page.waitForTimeout(100);
        const wide = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
        await page.screenshot({ path: join(shots, '5-phone.png'), fullPage: true });
        if (wide.scroll > wide.client) throw new Error(`the page is ${wide.scroll} px wide in a ${wide.client} px window`);
        // The batch tab, with the result of the batch case shown.
        await page.click('#tab-batch');
        await page.waitForTimeout(100);
        const batch = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
        await page.screenshot({ path: join(shots, '5-phone-batch.png'), fullPage: true });
        await page.click('#tab-single');
        if (batch.scroll > batch.client) throw new Error(`the batch tab is ${batch.scroll} px wide in a ${batch.client} px window`);
      } finally {
        if (size) await page.setViewportSize(size);
      }
    },
  ],
  [
    'every control has a label (an accessible name)',
    async (page) => {
      const unnamed = await page.$$eval('input, select, textarea, button', (els) =>
        els
          .filter((el) => !(el.labels?.length > 0 || el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent.trim() !== '')))
          .map((el) => el.id || el.outerHTML.slice(0, 60)),
      );
      if (unnamed.length > 0) throw new Error(`controls without a label: ${unnamed.join(', ')}`);
    },
  ],
];

async function main() {
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'nlsq-playground-'));
  const outdir = join(work, 'www');
  let server;
  let context;
  let passed = 0;
  let failed = 0;
  try {
    await buildPlayground(outdir);
    server = await servePlayground(outdir, 0);
    context = await launchChromium(join(work, 'profile'));
    const page = context.pages()[0] ?? (await context.newPage());
    const problems = [];
    const watch = (p) => {
      p.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      p.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
      });
      p.on('crash', () => problems.push('the page crashed'));
    };
    watch(page);
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForSelector('body[data-ready="true"][data-worker="ready"][data-readers="ready"]', { timeout: 60_000 });
    // From here on the page needs no network: every http request it (or its worker) makes is listed.
    const late = [];
    page.on('request', (request) => {
      if (request.url().startsWith('http')) late.push(request.url());
    });
    for (const [name, run] of CASES) {
      try {
        const note = await run(page, watch);
        passed++;
        console.log(`${TAG} ok   ${name}${note ? ` (${note})` : ''}`);
      } catch (error) {
        failed++;
        console.log(`${TAG} FAIL ${name}: ${error?.message ?? error}`);
        await page.screenshot({ path: join(shots, `fail-${passed + failed}.png`), fullPage: true }).catch(() => {});
      }
    }
    if (late.length === 0) {
      passed++;
      console.log(`${TAG} ok   no network request after load (the worker and the file readers preloaded)`);
    } else {
      failed++;
      console.log(`${TAG} FAIL requests after load:\n  ${late.join('\n  ')}`);
    }
    if (problems.length === 0) {
      passed++;
      console.log(`${TAG} ok   no console errors or page errors`);
    } else {
      failed++;
      console.log(`${TAG} FAIL console/page errors:\n  ${problems.join('\n  ')}`);
    }
  } catch (error) {
    failed++;
    console.log(`${TAG} FAIL setup: ${error?.stack ?? error}`);
  } finally {
    await context?.close().catch(() => {});
    server?.close();
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`${TAG} ${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0;
}

main().then((ok) => process.exit(ok ? 0 : 1));
