/**
 * The NIST StRD nonlinear regression problems, parsed from the vendored `.dat` files in
 * `test/fixtures/nist-strd/` (verbatim NIST files, CRLF), with their models as plain JS closures.
 * Quirks handled (see the fixture README): Nelson fits log(y) with two predictors; Roszman1 uses
 * arctan(b3/(x−b4)), not atan2.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'nist-strd');

/** One parsed problem. */
export interface StrdProblem {
  readonly name: string;
  readonly difficulty: 'lower' | 'average' | 'higher';
  /** Predictor columns (1, or 2 for Nelson). */
  readonly x: number[][];
  /** Response (log(y) for Nelson). */
  readonly y: number[];
  readonly start1: number[];
  readonly start2: number[];
  readonly params: number[];
  readonly stddev: number[];
  readonly rss: number;
  readonly model: (x: any, ...b: number[]) => number;
}

const { PI, exp, cos, sin, atan, log } = Math;

/** The models, written from each file's "Model:" section. */
const MODELS: Record<string, (x: any, ...b: number[]) => number> = {
  Misra1a: (x, b1, b2) => b1! * (1 - exp(-b2! * x)),
  Chwirut1: (x, b1, b2, b3) => exp(-b1! * x) / (b2! + b3! * x),
  Chwirut2: (x, b1, b2, b3) => exp(-b1! * x) / (b2! + b3! * x),
  Lanczos1: (x, b1, b2, b3, b4, b5, b6) => b1! * exp(-b2! * x) + b3! * exp(-b4! * x) + b5! * exp(-b6! * x),
  Lanczos2: (x, b1, b2, b3, b4, b5, b6) => b1! * exp(-b2! * x) + b3! * exp(-b4! * x) + b5! * exp(-b6! * x),
  Lanczos3: (x, b1, b2, b3, b4, b5, b6) => b1! * exp(-b2! * x) + b3! * exp(-b4! * x) + b5! * exp(-b6! * x),
  Gauss1: gauss,
  Gauss2: gauss,
  Gauss3: gauss,
  DanWood: (x, b1, b2) => b1! * x ** b2!,
  Misra1b: (x, b1, b2) => b1! * (1 - (1 + (b2! * x) / 2) ** -2),
  Kirby2: (x, b1, b2, b3, b4, b5) => (b1! + b2! * x + b3! * x * x) / (1 + b4! * x + b5! * x * x),
  Hahn1: rational33,
  Thurber: rational33,
  Nelson: (x, b1, b2, b3) => b1! - b2! * x[0] * exp(-b3! * x[1]),
  MGH17: (x, b1, b2, b3, b4, b5) => b1! + b2! * exp(-x * b4!) + b3! * exp(-x * b5!),
  Misra1c: (x, b1, b2) => b1! * (1 - (1 + 2 * b2! * x) ** -0.5),
  Misra1d: (x, b1, b2) => (b1! * b2! * x) / (1 + b2! * x),
  Roszman1: (x, b1, b2, b3, b4) => b1! - b2! * x - atan(b3! / (x - b4!)) / PI,
  ENSO: (x, b1, b2, b3, b4, b5, b6, b7, b8, b9) =>
    b1! + b2! * cos((2 * PI * x) / 12) + b3! * sin((2 * PI * x) / 12) + b5! * cos((2 * PI * x) / b4!) +
    b6! * sin((2 * PI * x) / b4!) + b8! * cos((2 * PI * x) / b7!) + b9! * sin((2 * PI * x) / b7!),
  MGH09: (x, b1, b2, b3, b4) => (b1! * (x * x + x * b2!)) / (x * x + x * b3! + b4!),
  BoxBOD: (x, b1, b2) => b1! * (1 - exp(-b2! * x)),
  Rat42: (x, b1, b2, b3) => b1! / (1 + exp(b2! - b3! * x)),
  MGH10: (x, b1, b2, b3) => b1! * exp(b2! / (x + b3!)),
  Eckerle4: (x, b1, b2, b3) => (b1! / b2!) * exp(-0.5 * ((x - b3!) / b2!) ** 2),
  Rat43: (x, b1, b2, b3, b4) => b1! / (1 + exp(b2! - b3! * x)) ** (1 / b4!),
  Bennett5: (x, b1, b2, b3) => b1! * (b2! + x) ** (-1 / b3!),
};

function gauss(x: number, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0, b7 = 0, b8 = 0): number {
  return b1 * exp(-b2 * x) + b3 * exp(-((x - b4) ** 2) / b5 ** 2) + b6 * exp(-((x - b7) ** 2) / b8 ** 2);
}

function rational33(x: number, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0, b7 = 0): number {
  return (b1 + b2 * x + b3 * x ** 2 + b4 * x ** 3) / (1 + b5 * x + b6 * x ** 2 + b7 * x ** 3);
}

function lineRange(text: string, label: string): [number, number] {
  const m = new RegExp(`${label}\\s*\\(lines\\s+(\\d+)\\s+to\\s+(\\d+)\\)`).exec(text);
  if (m === null) throw new Error(`no ${label} line range`);
  return [Number(m[1]), Number(m[2])];
}

/** Parse one NIST `.dat` file. */
export function parseStrd(name: string): StrdProblem {
  const text = readFileSync(join(FIXTURES, `${name}.dat`), 'latin1');
  const lines = text.split(/\r?\n/);
  const [s0, s1] = lineRange(text, 'Starting Values');
  const [d0, d1] = lineRange(text, 'Data');
  const start1: number[] = [];
  const start2: number[] = [];
  const params: number[] = [];
  const stddev: number[] = [];
  for (let l = s0; l <= s1; l++) {
    const fields = lines[l - 1]!.split('=')[1]!.trim().split(/\s+/).map(Number);
    start1.push(fields[0]!);
    start2.push(fields[1]!);
    params.push(fields[2]!);
    stddev.push(fields[3]!);
  }
  const rssLine = lines.find((l) => l.startsWith('Residual Sum of Squares:'))!;
  const rss = Number(rssLine.split(':')[1]!.trim());
  const difficulty = /Lower Level/i.test(text) ? 'lower' : /Average Level/i.test(text) ? 'average' : 'higher';
  const rows = lines.slice(d0 - 1, d1).map((l) => l.trim().split(/\s+/).map(Number));
  const nPredictors = rows[0]!.length - 1;
  let y = rows.map((r) => r[0]!);
  const x = Array.from({ length: nPredictors }, (_, v) => rows.map((r) => r[v + 1]!));
  if (name === 'Nelson') y = y.map((v) => log(v));
  const model = MODELS[name];
  if (model === undefined) throw new Error(`no model for ${name}`);
  return { name, difficulty, x, y, start1, start2, params, stddev, rss, model };
}

/** Names of the 27 problems, by difficulty as NIST lists them. */
export const STRD_NAMES = [
  'Misra1a', 'Chwirut2', 'Chwirut1', 'Lanczos3', 'Gauss1', 'Gauss2', 'DanWood', 'Misra1b',
  'Kirby2', 'Hahn1', 'Nelson', 'MGH17', 'Lanczos1', 'Lanczos2', 'Gauss3', 'Misra1c', 'Misra1d', 'Roszman1', 'ENSO',
  'MGH09', 'Thurber', 'BoxBOD', 'Rat42', 'MGH10', 'Eckerle4', 'Rat43', 'Bennett5',
] as const;

/**
 * Log relative error: digits of agreement −log10(|est − cert|/|cert|), capped at 11 (the
 * certified digits); 0 for a non-finite estimate.
 */
export function lre(estimate: number, certified: number): number {
  if (!Number.isFinite(estimate)) return 0;
  if (estimate === certified) return 11;
  const rel = Math.abs(estimate - certified) / Math.abs(certified);
  return Math.max(0, Math.min(11, -Math.log10(rel)));
}

/** Minimum LRE over a vector. */
export function minLre(estimates: readonly number[], certified: readonly number[]): number {
  return Math.min(...certified.map((c, j) => lre(estimates[j]!, c)));
}
