/**
 * Code that reproduces a playground fit: with nlsq (TypeScript) and with SciPy's `curve_fit`.
 * The expression is translated to NumPy by renaming the functions the two spell differently
 * (exp → np.exp, …; `^` → `**`); the data are inlined when small, else read from the CSV download.
 */

const NUMPY = ['exp', 'log', 'log10', 'log2', 'sqrt', 'sin', 'cos', 'tan', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'tanh', 'abs', 'floor', 'ceil', 'sign'];
const RENAME = { asin: 'arcsin', acos: 'arccos', atan: 'arctan', ln: 'log' };
const INLINE_MAX = 200;

function list(values) {
  return `[${Array.from(values, (v) => String(v)).join(', ')}]`;
}

/** A Python list; ±Infinity as ±np.inf. */
function pyList(values) {
  return `[${Array.from(values, (v) => (v === Infinity ? 'np.inf' : v === -Infinity ? '-np.inf' : String(v))).join(', ')}]`;
}

/** A JS literal of a number (±Infinity spelled out). */
function jsNumber(v) {
  return v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : String(v);
}

/** The `params({ … })` literal of the parameter table's fixed, tied and free parameters. */
function paramsLiteral(named) {
  const entries = Object.entries(named).map(([name, spec]) => {
    const fields = Object.entries(spec).map(([k, v]) => `${k}: ${typeof v === 'string' ? JSON.stringify(v) : typeof v === 'boolean' ? String(v) : jsNumber(v)}`);
    return `${name}: { ${fields.join(', ')} }`;
  });
  return `params({ ${entries.join(', ')} })`;
}

/** @param {string} expression */
export function toNumpy(expression) {
  return expression
    .replace(/\^/g, '**')
    .replace(/\b([A-Za-z_][A-Za-z0-9_]*)\s*\(/g, (all, name) => {
      const n = RENAME[name] ?? name;
      return NUMPY.includes(n) ? `np.${n}(` : all;
    })
    .replace(/\bpi\b/g, 'np.pi');
}

/**
 * @param {{ expression: string, params: string[], library?: string, x: ArrayLike<number>, y: ArrayLike<number>, sigma?: ArrayLike<number>, p0?: number[], bounds?: [number[], number[]], named?: Record<string, object>, method?: string, loss?: string, xName: string, yName: string, sigmaName?: string }} fit
 */
export function nlsqSnippet(fit) {
  const inline = fit.x.length <= INLINE_MAX;
  const lines = [`import { curveFit, model, models${fit.named ? ', params' : ''} } from 'nlsq';`, ''];
  if (inline) {
    lines.push(`const x = ${list(fit.x)};`, `const y = ${list(fit.y)};`);
    if (fit.sigma) lines.push(`const sigma = ${list(fit.sigma)};`);
  } else {
    lines.push(`// x, y${fit.sigma ? ', sigma' : ''}: columns ${fit.xName}, ${fit.yName}${fit.sigmaName ? `, ${fit.sigmaName}` : ''} of your data`);
  }
  lines.push(fit.library ? `const m = models.${fit.library}();` : `const m = model(${JSON.stringify(fit.expression)});`);
  const opts = [];
  if (fit.named) opts.push(`params: ${paramsLiteral(fit.named)}`);
  if (fit.p0 && !fit.named) opts.push(`p0: ${list(fit.p0)}`);
  if (fit.sigma) opts.push('sigma');
  if (fit.bounds && !fit.named) opts.push(`bounds: [${list(fit.bounds[0])}, ${list(fit.bounds[1])}]`);
  if (fit.method) opts.push(`method: '${fit.method}'`);
  if (fit.loss && fit.loss !== 'linear') opts.push(`loss: '${fit.loss}'`);
  lines.push(`const result = await curveFit(m, x, y${opts.length ? `, { ${opts.join(', ')} }` : ''});`, 'console.log(result.report());', '');
  return lines.join('\n');
}

/** @param {Parameters<typeof nlsqSnippet>[0] & { popt: number[] }} fit */
export function scipySnippet(fit) {
  const inline = fit.x.length <= INLINE_MAX;
  const lines = ['import numpy as np', 'from scipy.optimize import curve_fit', ''];
  if (inline) {
    lines.push(`x = np.array(${list(fit.x)})`, `y = np.array(${list(fit.y)})`);
    if (fit.sigma) lines.push(`sigma = np.array(${list(fit.sigma)})`);
  } else {
    lines.push('import pandas as pd', `data = pd.read_csv("data.csv")`, `x, y = data["${fit.xName}"].to_numpy(), data["${fit.yName}"].to_numpy()`);
    if (fit.sigma) lines.push(`sigma = data["${fit.sigmaName}"].to_numpy()`);
  }
  lines.push('', `def f(x, ${fit.params.join(', ')}):`, `    return ${toNumpy(fit.expression)}`, '');
  if (fit.named) {
    lines.push('# This fit holds or ties parameters (the "fixed" and "tie" cells): curve_fit has no such option;', '# lmfit\'s Parameters (vary=False, expr=...) do. Below, every parameter is free, starting at nlsq\'s result.', '');
  }
  // SciPy has no estimator: start it where nlsq ended when the page had no p0 of its own.
  const p0 = fit.named ? fit.popt : (fit.p0 ?? fit.popt);
  const extra = `${fit.sigma ? ', sigma=sigma' : ''}${fit.bounds ? `, bounds=(${pyList(fit.bounds[0])}, ${pyList(fit.bounds[1])})` : ''}${fit.method ? `, method="${fit.method}"` : ''}${fit.loss && fit.loss !== 'linear' ? `, loss="${fit.loss}"` : ''}`;
  lines.push(`popt, pcov = curve_fit(f, x, y, p0=${pyList(p0)}${extra})`);
  lines.push('perr = np.sqrt(np.diag(pcov))', `for name, v, e in zip(${JSON.stringify(fit.params)}, popt, perr):`, '    print(f"{name} = {v:.10g} ± {e:.3g}")', '');
  return lines.join('\n');
}
