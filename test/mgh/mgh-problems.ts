/**
 * The Moré–Garbow–Hillstrom test set (J. J. Moré, B. S. Garbow, K. E. Hillstrom, "Testing
 * unconstrained optimization software", ACM TOMS 7(1):17–41, 1981): the 35 least-squares problems
 * as residual vectors f(x) ∈ ℝᵐ with the paper's standard starts x0, and the published minimum
 * value f* = Σ fᵢ(x*)² — for the variable-size problems at the sizes the paper tabulates, 45
 * cases in all. Where the paper lists a local minimum too (Freudenstein–Roth 48.9842, Bard
 * 17.4286, Biggs EXP6 5.65565e-3 beside 0, …) the published optimum is the lowest value it gives.
 * The values are the paper's (six significant figures); the linear problems' are closed forms.
 */

/** One MGH case. */
export interface MghProblem {
  /** Paper number and name, with the size where it varies. */
  readonly name: string;
  /** The residuals at x. */
  readonly f: (x: Float64Array) => number[];
  /** The paper's standard start. */
  readonly x0: number[];
  /** The published minimum Σfᵢ². */
  readonly fstar: number;
}

const range = (n: number, from = 1): number[] => Array.from({ length: n }, (_, i) => i + from);
const sum = (a: readonly number[]): number => a.reduce((s, v) => s + v, 0);

const BARD_Y = [0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.1, 4.39];
const GAUSS_Y = [0.0009, 0.0044, 0.0175, 0.054, 0.1295, 0.242, 0.3521, 0.3989, 0.3521, 0.242, 0.1295, 0.054, 0.0175, 0.0044, 0.0009];
const MEYER_Y = [34780, 28610, 23650, 19630, 16370, 13720, 11540, 9744, 8261, 7030, 6005, 5147, 4427, 3820, 3307, 2872];
const KOWALIK_Y = [0.1957, 0.1947, 0.1735, 0.16, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246];
const KOWALIK_U = [4, 2, 1, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625];
const OSBORNE1_Y = [
  0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.85, 0.818, 0.784, 0.751, 0.718, 0.685, 0.658, 0.628, 0.603, 0.58, 0.558, 0.538, 0.522, 0.506, 0.49, 0.478, 0.467, 0.457,
  0.448, 0.438, 0.431, 0.424, 0.42, 0.414, 0.411, 0.406,
];
const OSBORNE2_Y = [
  1.366, 1.191, 1.112, 1.013, 0.991, 0.885, 0.831, 0.847, 0.786, 0.725, 0.746, 0.679, 0.608, 0.655, 0.616, 0.606, 0.602, 0.626, 0.651, 0.724, 0.649, 0.649, 0.694, 0.644,
  0.624, 0.661, 0.612, 0.558, 0.533, 0.495, 0.5, 0.423, 0.395, 0.375, 0.372, 0.391, 0.396, 0.405, 0.428, 0.429, 0.523, 0.562, 0.607, 0.653, 0.672, 0.708, 0.633, 0.668,
  0.645, 0.632, 0.591, 0.559, 0.597, 0.625, 0.739, 0.71, 0.729, 0.72, 0.636, 0.581, 0.428, 0.292, 0.162, 0.098, 0.054,
];

function watson(n: number): (x: Float64Array) => number[] {
  return (x) => {
    const out: number[] = [];
    for (let i = 1; i <= 29; i++) {
      const t = i / 29;
      let s1 = 0;
      let s2 = 0;
      for (let j = 2; j <= n; j++) s1 += (j - 1) * x[j - 1]! * t ** (j - 2);
      for (let j = 1; j <= n; j++) s2 += x[j - 1]! * t ** (j - 1);
      out.push(s1 - s2 * s2 - 1);
    }
    out.push(x[0]!, x[1]! - x[0]! ** 2 - 1);
    return out;
  };
}

function penalty1(n: number): (x: Float64Array) => number[] {
  const a = Math.sqrt(1e-5);
  return (x) => [...Array.from(x, (v) => a * (v - 1)), sum(Array.from(x, (v) => v * v)) - 0.25];
}

function penalty2(n: number): (x: Float64Array) => number[] {
  const a = Math.sqrt(1e-5);
  return (x) => {
    const out = [x[0]! - 0.2];
    for (let i = 2; i <= n; i++) out.push(a * (Math.exp(x[i - 1]! / 10) + Math.exp(x[i - 2]! / 10) - (Math.exp(i / 10) + Math.exp((i - 1) / 10))));
    for (let i = n + 1; i < 2 * n; i++) out.push(a * (Math.exp(x[i - n]! / 10) - Math.exp(-0.1)));
    let s = 0;
    for (let j = 1; j <= n; j++) s += (n - j + 1) * x[j - 1]! ** 2;
    out.push(s - 1);
    return out;
  };
}

/** Shifted Chebyshev polynomial T_i(2x − 1) on [0, 1]. */
function chebyshev(i: number, x: number): number {
  const y = 2 * x - 1;
  let t0 = 1;
  let t1 = y;
  if (i === 0) return t0;
  for (let k = 2; k <= i; k++) [t0, t1] = [t1, 2 * y * t1 - t0];
  return t1;
}

function chebyquad(n: number): MghProblem {
  return {
    name: `35 Chebyquad n=${n}`,
    f: (x) => range(n).map((i) => sum(Array.from(x, (v) => chebyshev(i, v))) / n - (i % 2 === 0 ? -1 / (i * i - 1) : 0)),
    x0: range(n).map((j) => j / (n + 1)),
    fstar: { 7: 0, 8: 3.51687e-3, 9: 0, 10: 6.50395e-3 }[n]!,
  };
}

function linearFullRank(n: number, m: number): MghProblem {
  return {
    name: `32 Linear function, full rank n=${n} m=${m}`,
    f: (x) => {
      const s = sum(Array.from(x));
      return range(m).map((i) => (i <= n ? x[i - 1]! : 0) - (2 / m) * s - 1);
    },
    x0: Array(n).fill(1),
    fstar: m - n,
  };
}

function linearRank1(n: number, m: number): MghProblem {
  return {
    name: `33 Linear function, rank 1 n=${n} m=${m}`,
    f: (x) => {
      const s = sum(Array.from(x, (v, j) => (j + 1) * v));
      return range(m).map((i) => i * s - 1);
    },
    x0: Array(n).fill(1),
    fstar: (m * (m - 1)) / (2 * (2 * m + 1)),
  };
}

function linearRank1Zero(n: number, m: number): MghProblem {
  return {
    name: `34 Linear function, rank 1 with zero columns and rows n=${n} m=${m}`,
    f: (x) => {
      let s = 0;
      for (let j = 2; j <= n - 1; j++) s += j * x[j - 1]!;
      return range(m).map((i) => (i === 1 || i === m ? -1 : (i - 1) * s - 1));
    },
    x0: Array(n).fill(1),
    fstar: (m * m + 3 * m - 6) / (2 * (2 * m - 3)),
  };
}

const N = 10;
const h = 1 / (N + 1);
const tt = range(N).map((i) => i * h);

/** The 45 cases. */
export const MGH_PROBLEMS: readonly MghProblem[] = [
  { name: '1 Rosenbrock', f: (x) => [10 * (x[1]! - x[0]! ** 2), 1 - x[0]!], x0: [-1.2, 1], fstar: 0 },
  { name: '2 Freudenstein and Roth', f: (x) => [-13 + x[0]! + ((5 - x[1]!) * x[1]! - 2) * x[1]!, -29 + x[0]! + ((x[1]! + 1) * x[1]! - 14) * x[1]!], x0: [0.5, -2], fstar: 0 },
  { name: '3 Powell badly scaled', f: (x) => [1e4 * x[0]! * x[1]! - 1, Math.exp(-x[0]!) + Math.exp(-x[1]!) - 1.0001], x0: [0, 1], fstar: 0 },
  { name: '4 Brown badly scaled', f: (x) => [x[0]! - 1e6, x[1]! - 2e-6, x[0]! * x[1]! - 2], x0: [1, 1], fstar: 0 },
  { name: '5 Beale', f: (x) => [1.5, 2.25, 2.625].map((y, i) => y - x[0]! * (1 - x[1]! ** (i + 1))), x0: [1, 1], fstar: 0 },
  { name: '6 Jennrich and Sampson m=10', f: (x) => range(10).map((i) => 2 + 2 * i - (Math.exp(i * x[0]!) + Math.exp(i * x[1]!))), x0: [0.3, 0.4], fstar: 124.362 },
  {
    name: '7 Helical valley',
    f: (x) => {
      const theta = Math.atan(x[1]! / x[0]!) / (2 * Math.PI) + (x[0]! < 0 ? 0.5 : 0);
      return [10 * (x[2]! - 10 * theta), 10 * (Math.hypot(x[0]!, x[1]!) - 1), x[2]!];
    },
    x0: [-1, 0, 0],
    fstar: 0,
  },
  { name: '8 Bard', f: (x) => BARD_Y.map((y, k) => { const u = k + 1; const v = 16 - u; return y - (x[0]! + u / (v * x[1]! + Math.min(u, v) * x[2]!)); }), x0: [1, 1, 1], fstar: 8.21487e-3 },
  { name: '9 Gaussian', f: (x) => GAUSS_Y.map((y, k) => { const t = (8 - (k + 1)) / 2; return x[0]! * Math.exp((-x[1]! * (t - x[2]!) ** 2) / 2) - y; }), x0: [0.4, 1, 0], fstar: 1.12793e-8 },
  { name: '10 Meyer', f: (x) => MEYER_Y.map((y, k) => x[0]! * Math.exp(x[1]! / (45 + 5 * (k + 1) + x[2]!)) - y), x0: [0.02, 4000, 250], fstar: 87.9458 },
  {
    name: '11 Gulf research and development m=99',
    f: (x) => range(99).map((i) => { const t = i / 100; const y = 25 + (-50 * Math.log(t)) ** (2 / 3); return Math.exp(-(Math.abs(y - x[1]!) ** x[2]!) / x[0]!) - t; }),
    x0: [5, 2.5, 0.15],
    fstar: 0,
  },
  { name: '12 Box three-dimensional m=10', f: (x) => range(10).map((i) => { const t = 0.1 * i; return Math.exp(-t * x[0]!) - Math.exp(-t * x[1]!) - x[2]! * (Math.exp(-t) - Math.exp(-10 * t)); }), x0: [0, 10, 20], fstar: 0 },
  { name: '13 Powell singular', f: (x) => [x[0]! + 10 * x[1]!, Math.sqrt(5) * (x[2]! - x[3]!), (x[1]! - 2 * x[2]!) ** 2, Math.sqrt(10) * (x[0]! - x[3]!) ** 2], x0: [3, -1, 0, 1], fstar: 0 },
  {
    name: '14 Wood',
    f: (x) => [10 * (x[1]! - x[0]! ** 2), 1 - x[0]!, Math.sqrt(90) * (x[3]! - x[2]! ** 2), 1 - x[2]!, Math.sqrt(10) * (x[1]! + x[3]! - 2), (x[1]! - x[3]!) / Math.sqrt(10)],
    x0: [-3, -1, -3, -1],
    fstar: 0,
  },
  { name: '15 Kowalik and Osborne', f: (x) => KOWALIK_Y.map((y, k) => { const u = KOWALIK_U[k]!; return y - (x[0]! * (u * u + u * x[1]!)) / (u * u + u * x[2]! + x[3]!); }), x0: [0.25, 0.39, 0.415, 0.39], fstar: 3.07505e-4 },
  { name: '16 Brown and Dennis m=20', f: (x) => range(20).map((i) => { const t = i / 5; return (x[0]! + t * x[1]! - Math.exp(t)) ** 2 + (x[2]! + x[3]! * Math.sin(t) - Math.cos(t)) ** 2; }), x0: [25, 5, -5, -1], fstar: 85822.2 },
  { name: '17 Osborne 1', f: (x) => OSBORNE1_Y.map((y, k) => { const t = 10 * k; return y - (x[0]! + x[1]! * Math.exp(-t * x[3]!) + x[2]! * Math.exp(-t * x[4]!)); }), x0: [0.5, 1.5, -1, 0.01, 0.02], fstar: 5.46489e-5 },
  {
    name: '18 Biggs EXP6 m=13',
    f: (x) => range(13).map((i) => { const t = 0.1 * i; const y = Math.exp(-t) - 5 * Math.exp(-10 * t) + 3 * Math.exp(-4 * t); return x[2]! * Math.exp(-t * x[0]!) - x[3]! * Math.exp(-t * x[1]!) + x[5]! * Math.exp(-t * x[4]!) - y; }),
    x0: [1, 2, 1, 1, 1, 1],
    fstar: 0,
  },
  {
    name: '19 Osborne 2',
    f: (x) => OSBORNE2_Y.map((y, k) => { const t = k / 10; return y - (x[0]! * Math.exp(-t * x[4]!) + x[1]! * Math.exp(-((t - x[8]!) ** 2) * x[5]!) + x[2]! * Math.exp(-((t - x[9]!) ** 2) * x[6]!) + x[3]! * Math.exp(-((t - x[10]!) ** 2) * x[7]!)); }),
    x0: [1.3, 0.65, 0.65, 0.7, 0.6, 3, 5, 7, 2, 4.5, 5.5],
    fstar: 4.01377e-2,
  },
  { name: '20 Watson n=6', f: watson(6), x0: Array(6).fill(0), fstar: 2.28767e-3 },
  { name: '20 Watson n=9', f: watson(9), x0: Array(9).fill(0), fstar: 1.39976e-6 },
  { name: '20 Watson n=12', f: watson(12), x0: Array(12).fill(0), fstar: 4.72238e-10 },
  { name: '21 Extended Rosenbrock n=10', f: (x) => range(5).flatMap((i) => [10 * (x[2 * i - 1]! - x[2 * i - 2]! ** 2), 1 - x[2 * i - 2]!]), x0: range(10).map((j) => (j % 2 === 1 ? -1.2 : 1)), fstar: 0 },
  {
    name: '22 Extended Powell singular n=8',
    f: (x) => range(2, 0).flatMap((b) => { const [a, c, d, e] = [x[4 * b]!, x[4 * b + 1]!, x[4 * b + 2]!, x[4 * b + 3]!]; return [a + 10 * c, Math.sqrt(5) * (d - e), (c - 2 * d) ** 2, Math.sqrt(10) * (a - e) ** 2]; }),
    x0: [3, -1, 0, 1, 3, -1, 0, 1],
    fstar: 0,
  },
  { name: '23 Penalty I n=4', f: penalty1(4), x0: range(4), fstar: 2.24997e-5 },
  { name: '23 Penalty I n=10', f: penalty1(10), x0: range(10), fstar: 7.08765e-5 },
  { name: '24 Penalty II n=4', f: penalty2(4), x0: Array(4).fill(0.5), fstar: 9.37629e-6 },
  { name: '24 Penalty II n=10', f: penalty2(10), x0: Array(10).fill(0.5), fstar: 2.9366e-4 },
  {
    name: '25 Variably dimensioned n=10',
    f: (x) => { const s = sum(Array.from(x, (v, j) => (j + 1) * (v - 1))); return [...Array.from(x, (v) => v - 1), s, s * s]; },
    x0: range(N).map((j) => 1 - j / N),
    fstar: 0,
  },
  {
    name: '26 Trigonometric n=10',
    f: (x) => { const c = sum(Array.from(x, Math.cos)); return range(N).map((i) => N - c + i * (1 - Math.cos(x[i - 1]!)) - Math.sin(x[i - 1]!)); },
    x0: Array(N).fill(1 / N),
    fstar: 0,
  },
  {
    name: '27 Brown almost-linear n=10',
    f: (x) => { const s = sum(Array.from(x)); return [...range(N - 1).map((i) => x[i - 1]! + s - (N + 1)), Array.from(x).reduce((p, v) => p * v, 1) - 1]; },
    x0: Array(N).fill(0.5),
    fstar: 0,
  },
  {
    name: '28 Discrete boundary value n=10',
    f: (x) => range(N).map((i) => { const xi = x[i - 1]!; const prev = i > 1 ? x[i - 2]! : 0; const next = i < N ? x[i]! : 0; return 2 * xi - prev - next + (h * h * (xi + tt[i - 1]! + 1) ** 3) / 2; }),
    x0: tt.map((t) => t * (t - 1)),
    fstar: 0,
  },
  {
    name: '29 Discrete integral equation n=10',
    f: (x) => range(N).map((i) => { const ti = tt[i - 1]!; let a = 0; let b = 0; for (let j = 1; j <= N; j++) { const tj = tt[j - 1]!; const g = (x[j - 1]! + tj + 1) ** 3; if (j <= i) a += tj * g; else b += (1 - tj) * g; } return x[i - 1]! + (h * ((1 - ti) * a + ti * b)) / 2; }),
    x0: tt.map((t) => t * (t - 1)),
    fstar: 0,
  },
  {
    name: '30 Broyden tridiagonal n=10',
    f: (x) => range(N).map((i) => (3 - 2 * x[i - 1]!) * x[i - 1]! - (i > 1 ? x[i - 2]! : 0) - 2 * (i < N ? x[i]! : 0) + 1),
    x0: Array(N).fill(-1),
    fstar: 0,
  },
  {
    name: '31 Broyden banded n=10',
    f: (x) => range(N).map((i) => { let s = 0; for (let j = Math.max(1, i - 5); j <= Math.min(N, i + 1); j++) if (j !== i) s += x[j - 1]! * (1 + x[j - 1]!); return x[i - 1]! * (2 + 5 * x[i - 1]! ** 2) + 1 - s; }),
    x0: Array(N).fill(-1),
    fstar: 0,
  },
  linearFullRank(5, 10),
  linearFullRank(5, 50),
  linearRank1(5, 10),
  linearRank1(5, 50),
  linearRank1Zero(5, 10),
  linearRank1Zero(5, 50),
  chebyquad(7),
  chebyquad(8),
  chebyquad(9),
  chebyquad(10),
];
