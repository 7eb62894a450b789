/**
 * Browser page: fits off the main thread through examples/worker (model.toJSON → worker →
 * model.fromJSON → curveFit), including two workers fitting at once on different backends.
 */
import { listBackends, model } from 'nlsq';
import { fitInWorker } from '../../../examples/worker/fit-in-worker.js';
import { TRUTH, assertClose, runCases, seedData } from '../smoke.js';

const P0 = [1, 1, 0];
const spawn = () => new Worker(new URL('./fit-worker.js', import.meta.url), { type: 'module' });

function check(r, backendPattern, what) {
  if (r.success !== true) throw new Error(`${what}: success is ${r.success} (${r.message})`);
  assertClose(r.popt, TRUTH, 1e-6, `${what} popt`);
  if (!backendPattern.test(r.backend)) throw new Error(`${what}: ran on ${r.backend}`);
}

function cases(webgpu) {
  const { x, y } = seedData();
  const m = model('a*exp(-b*x)+c');
  const list = [
    {
      name: 'a worker fits a serialized expression model on cpu',
      run: async () => {
        const w = spawn();
        try {
          check(await fitInWorker(w, m, x, y, { p0: P0, backend: 'cpu' }), /^cpu$/, 'worker cpu');
        } finally {
          w.terminate();
        }
      },
    },
    {
      name: 'a worker fits a serialized expression model on wasm',
      run: async () => {
        const w = spawn();
        try {
          check(await fitInWorker(w, m, x, y, { p0: P0, backend: 'wasm' }), /^wasm-(simd|scalar)$/, 'worker wasm');
        } finally {
          w.terminate();
        }
      },
    },
    {
      name: 'two workers fit at once on different backends without interfering',
      run: async () => {
        const a = spawn();
        const b = spawn();
        try {
          const y2 = y.map((v) => 2 * v);
          const [ra, rb] = await Promise.all([
            fitInWorker(a, m, x, y, { p0: P0, backend: 'cpu' }),
            fitInWorker(b, m, x, y2, { p0: P0, backend: 'wasm' }),
          ]);
          check(ra, /^cpu$/, 'first worker');
          assertClose(rb.popt, [2 * TRUTH[0], TRUTH[1], 2 * TRUTH[2]], 1e-6, 'second worker popt');
        } finally {
          a.terminate();
          b.terminate();
        }
      },
    },
    {
      name: 'several fits in flight on one worker are answered in kind',
      run: async () => {
        const w = spawn();
        try {
          const scales = [1, 3, 0.5];
          const results = await Promise.all(
            scales.map((s) => fitInWorker(w, m, x, y.map((v) => s * v), { p0: P0, backend: 'cpu' })),
          );
          results.forEach((r, i) =>
            assertClose(r.popt, [scales[i] * TRUTH[0], TRUTH[1], scales[i] * TRUTH[2]], 1e-6, `fit ${i}`),
          );
        } finally {
          w.terminate();
        }
      },
    },
    {
      name: 'an error in the worker comes back with its name and code',
      run: async () => {
        const w = spawn();
        try {
          let error;
          try {
            await fitInWorker(w, m, x, y, { p0: P0, backend: 'no-such-backend' });
          } catch (e) {
            error = e;
          }
          if (error?.code !== 'ERR_BACKEND_UNAVAILABLE') throw new Error(`expected ERR_BACKEND_UNAVAILABLE, got ${error}`);
          if (error.name !== 'BackendUnavailableError') throw new Error(`name is ${error.name}`);
        } finally {
          w.terminate();
        }
      },
    },
  ];
  if (webgpu) {
    list.push({
      name: 'a worker fits a serialized expression model on webgpu',
      run: async () => {
        const w = spawn();
        try {
          const r = await fitInWorker(w, m, x, y, { p0: P0, backend: 'webgpu' });
          if (r.success !== true || r.backend !== 'webgpu') throw new Error(`success ${r.success} on ${r.backend}: ${r.message}`);
          assertClose(r.popt, TRUTH, 2e-3, 'worker webgpu popt');
        } finally {
          w.terminate();
        }
      },
    });
  }
  return list;
}

async function webgpuUsable() {
  const mode = new URLSearchParams(location.search).get('webgpu') ?? 'auto';
  if (mode !== 'auto') return mode === '1';
  const statuses = await listBackends();
  return statuses.some((s) => s.name === 'webgpu' && s.available);
}

webgpuUsable()
  .then((webgpu) => runCases(cases(webgpu)))
  .then((result) => {
    globalThis.__smoke = result;
  })
  .catch((error) => {
    globalThis.__smoke = { passed: 0, failed: 1, lines: [`FAIL page: ${error?.stack ?? error}`] };
  });
