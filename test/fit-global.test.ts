import { describe, expect, it } from 'vitest';
import { curveFitSync } from '../src/curve-fit.ts';
import { DataSourceError, NlsqRangeError, NlsqTypeError } from '../src/errors.ts';
import { fitGlobal } from '../src/fit-global.ts';
import { model } from '../src/model/model.ts';
import { models } from '../src/model/models/index.ts';
import { createCpuBackend } from '../src/backends/cpu/cpu-backend.ts';
import { BlockEvaluator } from '../src/evaluate/block-evaluator.ts';
import { fit, type FitOptions } from '../src/fit.ts';
import { buildGlobalModel, globalParams, stackData } from '../src/model/global-model.ts';
import { Model } from '../src/model/model.ts';
import { isParameterSet, params, type ParameterSet, type ParamInput } from '../src/model/params.ts';
import type { FitResult } from '../src/result/fit-result.ts';

const m = model('A*exp(-(x - mu)^2/(2*s^2))');
const xs = [0, 1, 2].map((k) => Array.from({ length: 80 + 10 * k }, (_, i) => -4 + (8 * i) / (79 + 10 * k)));
const As = [1, 2, 3];
const ys = xs.map((x, k) => x.map((t, i) => As[k]! * Math.exp(-((t - 0.3) ** 2) / (2 * 1.1 ** 2)) + 0.01 * Math.sin(i * 3.7 + k)));
const sigmas = xs.map((x, k) => x.map((_, i) => 0.5 + 0.1 * k + 0.01 * (i % 7)));
const P = { A: 1, mu: 0, s: { value: 1, min: 0 } };
const tight = { ftol: 1e-14, xtol: 1e-14, gtol: 1e-14 };

describe('fitGlobal', () => {
  for (const workflow of ['standard', 'chunked'] as const) {
    it(`datasets that share every parameter give the fit of the concatenated data (${workflow})`, async () => {
      const { result, datasets } = await fitGlobal(
        xs.map((x, k) => ({ model: m, x, y: ys[k]!, sigma: sigmas[k]! })),
        { params: P, workflow, ...(workflow === 'chunked' ? { chunkSize: 64 } : {}), ...tight },
      );
      expect(result.strategy).toBe(workflow);
      const joint = curveFitSync(m, xs.flat(), ys.flat(), { params: P, sigma: sigmas.flat(), ...tight });
      expect(result.paramNames).toEqual(['A', 'mu', 's']);
      expect(result.popt).toBeAllclose(joint.popt, { rtol: 1e-10 });
      expect(result.perr).toBeAllclose(joint.perr, { rtol: 1e-8 });
      expect([result.chiSquare]).toBeAllclose([joint.chiSquare], { rtol: 1e-10 });
      // the per-dataset chi-squares add up to the joint one
      expect([datasets.reduce((s, d) => s + d.chiSquare, 0)]).toBeAllclose([result.chiSquare], { rtol: 1e-10 });
      expect(datasets.map((d) => d.p)).toEqual([3, 3, 3]);
    });
  }

  it("with every parameter 'own', each dataset gets its own separate fit", async () => {
    const own = { A: 'own', mu: 'own', s: 'own' } as const;
    const { result, datasets } = await fitGlobal(xs.map((x, k) => ({ model: m, x, y: ys[k]!, params: own })), { params: P, ...tight });
    expect(result.paramNames).toEqual(['A_0', 'mu_0', 's_0', 'A_1', 'mu_1', 's_1', 'A_2', 'mu_2', 's_2']);
    xs.forEach((x, k) => {
      const alone = curveFitSync(m, x, ys[k]!, { params: P, ...tight });
      expect(['A', 'mu', 's'].map((n) => datasets[k]!.params[n]!.value)).toBeAllclose(alone.popt, { rtol: 1e-8 });
      expect([datasets[k]!.rss]).toBeAllclose([alone.rss], { rtol: 1e-8 });
      expect(Array.from(datasets[k]!.yhat)).toBeAllclose(Array.from(alone.predict(x)), { rtol: 1e-7, atol: 1e-12 });
    });
  });

  it('shares some parameters: mu and s shared, A own, recovering each amplitude', async () => {
    const { result, datasets } = await fitGlobal(xs.map((x, k) => ({ model: m, x, y: ys[k]!, params: { A: 'own' } })), { params: P });
    expect(result.paramNames).toEqual(['A_0', 'A_1', 'A_2', 'mu', 's']); // own parameters first (the fold's block order)
    expect(datasets.map((d) => d.params['A']!.value)).toBeAllclose(As, { rtol: 1e-3 });
    expect([result.params['mu']!.value, result.params['s']!.value]).toBeAllclose([0.3, 1.1], { rtol: 1e-3 });
    expect(datasets[1]!.params['mu']).toBe(result.params['mu']);
  });

  it('guesses the parameters when none are given (library models), and mixes models and ties', async () => {
    const g = models.gaussian();
    const { result } = await fitGlobal(xs.map((x, k) => ({ model: g, x, y: ys[k]!, params: { a: 'own' } })));
    expect([result.params['mu']!.value, result.params['sigma']!.value]).toBeAllclose([0.3, 1.1], { rtol: 1e-3 });
    // a second model over the same centre; its width tied to the first's
    const lor = model('B*w^2/((x - mu)^2 + w^2)');
    const yl = xs[0]!.map((t) => (2 * 0.7 ** 2) / ((t - 0.3) ** 2 + 0.7 ** 2));
    const tied = await fitGlobal([{ model: m, x: xs[0]!, y: ys[0]! }, { model: lor, x: xs[0]!, y: yl }], { params: { A: 1, mu: 0, s: 1, B: 1, w: { expr: 's*0.7/1.1' } } });
    expect(tied.result.params['w']!.kind).toBe('tied');
    expect([tied.result.params['mu']!.value]).toBeAllclose([0.3], { rtol: 1e-3 });
  });

  it('rejects bad input, naming the argument and the parameter', async () => {
    const data = xs.map((x, k) => ({ model: m, x, y: ys[k]! }));
    const fails = async (p: Promise<unknown>, type: unknown, re: RegExp): Promise<void> => {
      const e = await p.then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(type as never);
      expect((e as Error).message).toMatch(re);
    };
    await fails(fitGlobal([], { params: P }), NlsqTypeError, /^fitGlobal: datasets must be a non-empty array/);
    await fails(fitGlobal([{ ...data[0]!, params: { B: 'own' } }], { params: P }), NlsqRangeError, /^fitGlobal: datasets\[0\]\.params names 'B', which is not a parameter of its model \(A, mu, s\)/);
    await fails(fitGlobal([{ ...data[0]!, params: { A: 'mine' as never } }], { params: P }), NlsqRangeError, /datasets\[0\]\.params\.A must be 'shared' or 'own', got "mine"/);
    await fails(fitGlobal([data[0]!, { ...data[1]!, y: ys[1]!.slice(1) }], { params: P }), NlsqRangeError, /datasets\[1\]\.x must have length 89 \(one per y value\), got 90/);
    await fails(fitGlobal([data[0]!, { ...data[1]!, sigma: [1] }], { params: P }), NlsqRangeError, /datasets\[1\]\.sigma must have length 90/);
    await fails(fitGlobal([{ model: m, source: {} } as never], { params: P }), NlsqTypeError, /^fitGlobal: datasets\[0\]\.source: source must be an \(async\) iterable of \{ x, y, sigma\? \} chunks/);
    await fails(fitGlobal([{ ...data[0]!, model: ((t: number) => t) as never }], { params: P }), NlsqTypeError, /datasets\[0\]\.model must be an expression model/);
    await fails(fitGlobal(data, { params: { ...P, B: 1 } }), NlsqRangeError, /params names 'B', which is not a model parameter/);
    await fails(fitGlobal(data, { params: { A: 1, mu: 0 } }), NlsqRangeError, /params must give every model parameter .*missing 's'/);
    await fails(fitGlobal(data), NlsqRangeError, /^fitGlobal: options\.params is needed: the model of datasets\[0\]/);
    // a shared model parameter tied to one that is own in that dataset
    await fails(
      fitGlobal([{ ...data[0]!, params: { A: 'own' } }, data[1]!], { params: { A: 1, mu: 0, s: { expr: 'A/2' } } }),
      NlsqRangeError,
      /^fitGlobal: params: s is shared in datasets\[0\] but its tie s = A\/2 uses A, which is 'own' there; mark s 'own' too/,
    );
    // a derived quantity of an own parameter is per dataset (fwhm_0, and fwhm for the shared s)
    const derived = await fitGlobal([{ ...data[0]!, params: { s: 'own' } }, data[1]!], { params: { A: 1, mu: 0, s: { value: 1, min: 0 }, fwhm: { expr: '2.3548*s' } } });
    expect(derived.result.params['fwhm_0']!.value).toBeCloseTo(2.3548 * derived.result.params['s_0']!.value, 12);
    expect(derived.result.params['fwhm']!.value).toBeCloseTo(2.3548 * derived.result.params['s']!.value, 12);
  });
});

describe('fitGlobal block structure (each dataset folded into its own columns)', () => {
  const mc = model('A*exp(-(x - mu)^2/(2*s^2)) + c');
  const data = xs.map((x, k) => ({ model: mc, x, y: ys[k]!.map((v, i) => v + 0.1 * k + 0.002 * Math.cos(i)), sigma: sigmas[k]!, params: { A: 'own', c: 'own' } as const }));
  const PC = { A: 1, c: 0, mu: 0, s: { value: 1, min: 0 } };

  /** The same stacked model without its indicators: every row evaluates every dataset's term and folds every column (the path before the blocks). */
  async function denseFit(ds: typeof data, P: Record<string, ParamInput> | ParameterSet, options: FitOptions) {
    const g = buildGlobalModel('test', ds);
    const dense = new Model(g.model.source, { params: g.model.params, variables: g.model.variables });
    expect(dense.createKernel().blocks).toBeUndefined();
    const st = stackData(ds.map((d) => ({ x: [Float64Array.from(d.x)], y: Float64Array.from(d.y), sigma: Float64Array.from(d.sigma) })));
    return fit(dense, st.x, st.y, { ...options, params: isParameterSet(P) ? P : globalParams('test', P, g), sigma: st.sigma! });
  }

  function expectSame(got: FitResult, want: FitResult): void {
    expect(got.paramNames).toEqual(want.paramNames);
    for (const name of want.paramNames) {
      const a = got.params[name]!;
      const b = want.params[name]!;
      // values of order 0.1–3: 1e-12 relative, or absolute for the offsets near 0
      expect([a.value], name).toBeAllclose([b.value], { rtol: 1e-12, atol: 1e-12 });
      expect([a.stderr], name).toBeAllclose([b.stderr], { rtol: 1e-12, atol: 1e-14 });
    }
    expect([got.cost]).toBeAllclose([want.cost], { rtol: 1e-12 });
  }

  const variants: [string, Record<string, ParamInput>, FitOptions][] = [
    ['own A and c, shared mu and s, sigma', PC, {}],
    ['a tie across datasets (A_1 = 2·A_0) and a fixed own copy', { ...PC, A_1: { expr: '2*A_0' }, c_2: { value: 0.2, vary: false } }, {}],
    ['a robust loss (soft_l1)', PC, { loss: 'soft_l1', fScale: 0.05 }],
    ['the chunked workflow', PC, { workflow: 'chunked', chunkSize: 50 }],
    ['the lm method (unbounded s)', { ...PC, s: 1 }, { method: 'lm' }],
  ];
  for (const [name, P, options] of variants) {
    it(`equals the fit of the stacked model without blocks to 1e-12: ${name}`, async () => {
      const given = Object.fromEntries(Object.entries(P).filter(([k]) => !/_\d$/.test(k)));
      const perCopy = Object.fromEntries(Object.entries(P).filter(([k]) => /_\d$/.test(k)));
      const set = globalParams('test', given, buildGlobalModel('test', data));
      const merged = params({ ...Object.fromEntries(set.list.map((s) => [s.name, s.expr === undefined ? { value: s.value, min: s.min, max: s.max, vary: s.vary } : { expr: s.expr }])), ...perCopy });
      const blocked = await fit(buildGlobalModel('test', data).model, stackData(data.map((d) => ({ x: [Float64Array.from(d.x)], y: Float64Array.from(d.y), sigma: Float64Array.from(d.sigma) }))).x,
        stackData(data.map((d) => ({ x: [Float64Array.from(d.x)], y: Float64Array.from(d.y), sigma: Float64Array.from(d.sigma) }))).y,
        { ...tight, ...options, params: merged, sigma: Float64Array.from(data.flatMap((d) => d.sigma)) });
      const dense = await denseFit(data, merged, { ...tight, ...options });
      expectSame(blocked, dense);
    });
  }

  it('fitGlobal itself equals the blocks-free fit, on cpu and on wasm', async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      const want = await denseFit(data, PC, { ...tight, backend });
      const { result } = await fitGlobal(data, { params: PC, backend, ...tight });
      expectSame(result, want);
    }
  });

  it("never evaluates a dataset's term on another dataset's rows", () => {
    const g = buildGlobalModel('test', data);
    const st = stackData(data.map((d) => ({ x: [Float64Array.from(d.x)], y: Float64Array.from(d.y) })));
    // dataset 1's x column on the other datasets' rows: log of a negative number there
    const poisoned = model('A*log(x - mu) + c');
    const gp = buildGlobalModel('test', [0, 1, 2].map(() => ({ model: poisoned, params: { A: 'own', c: 'own' } as const })));
    const x = st.x.map((col, j) => (j === 3 ? col.map((v, i) => (i >= st.offsets[1]! && i < st.offsets[2]! ? 5 + Math.abs(v) : -1)) : j % 2 === 1 ? col.map((v) => 5 + Math.abs(v)) : col));
    const theta = Float64Array.from(gp.model.params, (n) => (n === 'mu' ? 0 : 1));
    const evaluate = (kernel: ReturnType<Model['createKernel']>): number => {
      const ev = new BlockEvaluator({ backend: createCpuBackend(), kernel, loss: null, scheme: { kind: 'analytic' }, blockRows: 64 });
      ev.begin(theta, true);
      ev.addWindow({ x, y: st.y, w: null }, 0, st.y.length);
      return ev.finish().cost;
    };
    expect(Number.isFinite(evaluate(gp.model.createKernel()))).toBe(true);
    const dense = new Model(gp.model.source, { params: gp.model.params, variables: gp.model.variables });
    expect(evaluate(dense.createKernel())).toBeNaN();
    expect(g.model.params.length).toBe(8);
  });
});

describe('fitGlobal with streaming datasets', () => {
  const mc = model('A*exp(-(x - mu)^2/(2*s^2)) + c');
  const data = xs.map((x, k) => ({ model: mc, x, y: ys[k]!.map((v, i) => v + 0.1 * k + 0.002 * Math.cos(i)), sigma: sigmas[k]!, params: { A: 'own', c: 'own' } as const }));
  const PC = { A: 1, c: 0, mu: 0, s: { value: 1, min: 0 } };
  /** Dataset k as a re-readable source of chunks of 17 points (the last one shorter). */
  const asSource = (k: number) => ({
    model: mc,
    params: data[k]!.params,
    source: () => {
      const d = data[k]!;
      const chunks = [];
      for (let s = 0; s < d.x.length; s += 17) chunks.push({ x: d.x.slice(s, s + 17), y: d.y.slice(s, s + 17), sigma: d.sigma.slice(s, s + 17) });
      return chunks;
    },
  });

  for (const streamed of [[1], [0, 1, 2]]) {
    it(`equals the in-memory global fit with datasets ${streamed.join(', ')} streamed`, async () => {
      const memory = await fitGlobal(data, { params: PC, ...tight });
      const mixed = data.map((d, k) => (streamed.includes(k) ? asSource(k) : d));
      const { result, datasets } = await fitGlobal(mixed, { params: PC, ...tight });
      expect(result.strategy).toBe('streaming');
      expect(result.paramNames).toEqual(memory.result.paramNames);
      // the streaming strategy's exact passes stop by their own test: agreement to ~1e-10, not to the last digit
      expect(result.popt).toBeAllclose(memory.result.popt, { rtol: 1e-9, atol: 1e-12 });
      expect(result.perr).toBeAllclose(memory.result.perr, { rtol: 1e-10 });
      expect([result.chiSquare]).toBeAllclose([memory.result.chiSquare], { rtol: 1e-9 });
      datasets.forEach((d, k) => {
        expect(d.n).toBe(memory.datasets[k]!.n);
        expect([d.chiSquare, d.rSquared, d.rss]).toBeAllclose([memory.datasets[k]!.chiSquare, memory.datasets[k]!.rSquared, memory.datasets[k]!.rss], { rtol: 1e-8 });
        expect(d.yhat === undefined).toBe(streamed.includes(k));
      });
    });
  }

  it('refuses a one-pass source, a source without params, and a chunk of the wrong shape, naming the dataset', async () => {
    const fails = async (p: Promise<unknown>, type: unknown, re: RegExp): Promise<void> => {
      const e = await p.then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(type as never);
      expect((e as Error).message).toMatch(re);
    };
    function* once() {
      yield { x: data[1]!.x, y: data[1]!.y };
    }
    await fails(fitGlobal([data[0]!, { model: mc, source: once() }], { params: PC }), NlsqTypeError, /^fitGlobal: datasets\[1\]\.source can be read only once \(an iterator\); a global fit makes several passes/);
    await fails(fitGlobal([data[0]!, asSource(1)]), NlsqRangeError, /^fitGlobal: options\.params is needed when a dataset is a streaming source \(datasets\[1\]\)/);
    const twoCols = { model: mc, source: [{ x: [data[1]!.x, data[1]!.x], y: data[1]!.y }] };
    await fails(fitGlobal([data[0]!, twoCols], { params: PC }), DataSourceError, /fitGlobal: datasets\[1\]\.source chunk 0: x must be one column \(one per variable of the dataset's model\), got 2 columns/);
    await fails(fitGlobal([data[0]!, { model: mc, source: [] }], { params: PC }), DataSourceError, /^fitGlobal: datasets\[1\]\.source yielded no chunks/);
  });
});
