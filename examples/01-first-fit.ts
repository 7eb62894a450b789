/**
 * A first fit: the README's quick start, runnable with `npx tsx examples/01-first-fit.ts`.
 */
import { curveFit, fit, model } from '../src/index.ts';

const x = Array.from({ length: 1000 }, (_, i) => (5 * i) / 999);
const y = x.map((t) => 3 * Math.exp(-1.2 * t) + 0.5 + 0.01 * Math.sin(40 * t));

const r = await curveFit(model('a*exp(-b*x) + c'), x, y, { p0: [1, 1, 0] });
console.log('popt', r.popt);
console.log('perr', r.perr);
console.log(r.report());

const w = await fit((t: number, a: number, b: number, c: number) => a * Math.exp(-b * t) + c, x, y, { p0: [1, 1, 0], workflow: 'auto' });
console.log('strategy', w.strategy, 'backend', w.backend);
console.log('reason', w.reason);
