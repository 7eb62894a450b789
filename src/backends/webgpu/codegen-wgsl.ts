/**
 * WGSL code generation from the expression IR (`src/model/ir.ts`): the per-point body that
 * computes a model value f and its gradient ∂f/∂θ_j in f32.
 *
 * The IR is a straight-line SSA program; every live instruction becomes one WGSL `let`
 * (`t<i>`), parameters are read into `th<j>` and variables into `x<k>` by the kernel that embeds
 * the body (see `gram-partials.wgsl.ts`). Dead instructions (those f and the requested
 * derivatives do not reach) are dropped, so the cost-only kernel never computes derivatives.
 *
 * ## Semantics on the device (f32) versus the IR's f64 semantics
 *
 * - Arithmetic is IEEE binary32; constants are rounded to the nearest f32 (`Math.fround`).
 *   Constants beyond the f32 range and non-finite constants are read from the uniform
 *   `cfg.inf` / `cfg.nan`, because WGSL forbids non-finite const-expressions.
 * - WGSL leaves `log`, `sqrt`, `asin`, `acos` and `pow` *indeterminate* outside their domain;
 *   the generated helpers (`nl_*`) return NaN there instead, as JavaScript does.
 * - `pow(a, n)` with a constant integer exponent is computed by binary exponentiation
 *   (`nl_powi`), exact in sign for negative bases; otherwise `nl_pow` follows `Math.pow`
 *   (negative base with an integer exponent: sign-corrected |a|^b; non-integer: NaN).
 * - `erf`/`erfc`: f32 approximations (erfc: Numerical Recipes' `erfcc` Chebyshev fit, relative
 *   error < 1.2e−7 for every argument; erf: its Maclaurin series to x¹¹ for |x| < ½ and 1 − erfc
 *   beyond), adequate for f32 arithmetic, not the f64 Cody approximations of the CPU.
 * - `faddeeva_re`/`faddeeva_im`: the algorithm of `stats/faddeeva.ts` (Weideman's N = 32 rational
 *   approximation for |z| < 8, the 20-level continued fraction beyond, the reflection below the real
 *   axis) in f32 arithmetic: error below 2e−6·|w| (1.6e−6 measured on Mesa's llvmpipe; the device
 *   check in `test/browser/webgpu/checks.ts` asserts 4e−6·|w| at every point of both regions), where
 *   the f64 version has 3.2e−13. Below the real axis exp(y² − x²) overflows f32 beyond 88.
 * - `step(NaN)` is 0 (the IR says NaN); `min`/`max` of a NaN follow the device. WGSL allows an
 *   implementation to assume that no NaN or infinity arises, so non-finite values are detected
 *   on the host from the reduced sums, not guaranteed point by point.
 *
 * @module
 */
import type { Instr, IrFunctionName, Operand, Program } from '../../model/ir.ts';
import { liveInstructions } from '../../model/liveness.ts';
import { NlsqRangeError } from '../../errors.ts';
import { FADDEEVA_CF_RADIUS_SQ, FADDEEVA_CF_TERMS, WEIDEMAN_COEFFICIENTS, WEIDEMAN_L } from '../../stats/faddeeva.ts';

/** Largest |n| for which a constant integer power is expanded by binary exponentiation. */
const MAX_POWI_EXPONENT = 1 << 20;

/** The generated per-point WGSL for one program. */
export interface WgslPointBody {
  /** Helper function definitions (`nl_*`) the body calls, to place at module scope. */
  readonly helpers: string;
  /** Statements defining the live temporaries, one `let` per line. */
  readonly statements: string;
  /** WGSL expression of the model value f. */
  readonly value: string;
  /** WGSL expressions of ∂f/∂θ_j (empty when the gradient was not requested). */
  readonly gradient: readonly string[];
  /** Indices of the parameters the emitted code reads. */
  readonly usedParams: readonly number[];
  /** Indices of the variables the emitted code reads. */
  readonly usedVariables: readonly number[];
}

/** The WGSL Faddeeva helper: w(x + iy) as vec2 (Re, Im), the algorithm of `stats/faddeeva.ts` in f32. */
function faddeevaHelper(): string {
  const horner = WEIDEMAN_COEFFICIENTS.slice(1).map((c) => `    p = vec2<f32>(p.x * zz.x - p.y * zz.y + ${wgslF32Literal(c)}, p.x * zz.y + p.y * zz.x);`);
  return [
    'fn nl_cdiv(a: vec2<f32>, c: vec2<f32>) -> vec2<f32> {',
    '  if (abs(c.x) >= abs(c.y)) {',
    '    let r = c.y / c.x; let t = c.x + c.y * r;',
    '    return vec2<f32>((a.x + a.y * r) / t, (a.y - a.x * r) / t);',
    '  }',
    '  let r = c.x / c.y; let t = c.x * r + c.y;',
    '  return vec2<f32>((a.x * r + a.y) / t, (a.y * r - a.x) / t);',
    '}',
    'fn nl_faddeeva_upper(x: f32, y: f32) -> vec2<f32> {',
    `  if (x * x + y * y >= ${wgslF32Literal(FADDEEVA_CF_RADIUS_SQ)}) {`,
    '    var r = vec2<f32>(0.0f, 0.0f);',
    `    for (var k = ${FADDEEVA_CF_TERMS}; k >= 1; k = k - 1) { r = nl_cdiv(vec2<f32>(f32(k) * 0.5f, 0.0f), vec2<f32>(x - r.x, y - r.y)); }`,
    `    return nl_cdiv(vec2<f32>(0.0f, ${wgslF32Literal(1 / Math.sqrt(Math.PI))}), vec2<f32>(x - r.x, y - r.y));`,
    '  }',
    `  let d = vec2<f32>(${wgslF32Literal(WEIDEMAN_L)} + y, -x);`,
    `  let zz = nl_cdiv(vec2<f32>(${wgslF32Literal(WEIDEMAN_L)} - y, x), d);`,
    `  var p = vec2<f32>(${wgslF32Literal(WEIDEMAN_COEFFICIENTS[0]!)}, 0.0f);`,
    ...horner,
    `  let q = nl_cdiv(2.0f * p, d);`,
    `  return nl_cdiv(vec2<f32>(q.x + ${wgslF32Literal(1 / Math.sqrt(Math.PI))}, q.y), d);`,
    '}',
    'fn nl_faddeeva(x: f32, y: f32) -> vec2<f32> {',
    '  if (y >= 0.0) { return nl_faddeeva_upper(x, y); }',
    '  let m = nl_faddeeva_upper(-x, -y);',
    '  let e = 2.0f * exp((y - x) * (y + x));',
    '  let phase = 2.0f * x * y;',
    '  return vec2<f32>(e * cos(phase) - m.x, -e * sin(phase) - m.y);',
    '}',
  ].join('\n');
}

/** Source of every helper, with the helpers it depends on. */
const HELPERS: Readonly<Record<string, { readonly deps: readonly string[]; readonly code: string }>> = {
  nl_log: { deps: [], code: 'fn nl_log(a: f32) -> f32 { return select(log(a), cfg.nan, a < 0.0); }' },
  nl_log2: { deps: [], code: 'fn nl_log2(a: f32) -> f32 { return select(log2(a), cfg.nan, a < 0.0); }' },
  nl_log10: { deps: ['nl_log2'], code: 'fn nl_log10(a: f32) -> f32 { return nl_log2(a) * 0.30102999566398120f; }' },
  nl_sqrt: { deps: [], code: 'fn nl_sqrt(a: f32) -> f32 { return select(sqrt(a), cfg.nan, a < 0.0); }' },
  nl_cbrt: {
    deps: [],
    code: 'fn nl_cbrt(a: f32) -> f32 { return select(sign(a) * pow(abs(a), 1.0f / 3.0f), a, a == 0.0); }',
  },
  nl_asin: { deps: [], code: 'fn nl_asin(a: f32) -> f32 { return select(asin(a), cfg.nan, abs(a) > 1.0); }' },
  nl_acos: { deps: [], code: 'fn nl_acos(a: f32) -> f32 { return select(acos(a), cfg.nan, abs(a) > 1.0); }' },
  nl_step: { deps: [], code: 'fn nl_step(a: f32) -> f32 { return select(0.0f, 1.0f, a >= 0.0); }' },
  nl_hypot: {
    deps: [],
    code: [
      'fn nl_hypot(a: f32, b: f32) -> f32 {',
      '  let m = max(abs(a), abs(b));',
      '  if (m == 0.0) { return 0.0f; }',
      '  let u = a / m; let v = b / m;',
      '  return m * sqrt(u * u + v * v);',
      '}',
    ].join('\n'),
  },
  nl_erfc: {
    deps: [],
    code: [
      'fn nl_erfc(x: f32) -> f32 {',
      '  let z = abs(x);',
      '  let t = 1.0f / (1.0f + 0.5f * z);',
      '  let q = -1.26551223f + t * (1.00002368f + t * (0.37409196f + t * (0.09678418f + t * (-0.18628806f',
      '    + t * (0.27886807f + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f))))))));',
      '  let r = t * exp(-z * z + q);',
      '  return select(2.0f - r, r, x >= 0.0);',
      '}',
    ].join('\n'),
  },
  nl_erf: {
    deps: ['nl_erfc'],
    code: [
      'fn nl_erf(x: f32) -> f32 {',
      '  if (abs(x) < 0.5) {',
      '    let s = x * x;',
      '    let c = 1.0f - s * (1.0f / 3.0f - s * (0.1f - s * (1.0f / 42.0f - s * (1.0f / 216.0f - s / 1320.0f))));',
      '    return 1.12837916709551257f * x * c;',
      '  }',
      '  return 1.0f - nl_erfc(x);',
      '}',
    ].join('\n'),
  },
  nl_faddeeva: { deps: [], code: faddeevaHelper() },
  nl_faddeeva_re: { deps: ['nl_faddeeva'], code: 'fn nl_faddeeva_re(x: f32, y: f32) -> f32 { return nl_faddeeva(x, y).x; }' },
  nl_faddeeva_im: { deps: ['nl_faddeeva'], code: 'fn nl_faddeeva_im(x: f32, y: f32) -> f32 { return nl_faddeeva(x, y).y; }' },
  nl_powi: {
    deps: [],
    code: [
      'fn nl_powi(a: f32, n: i32) -> f32 {',
      '  var base = a;',
      '  var e = abs(n);',
      '  var r = 1.0f;',
      '  loop {',
      '    if (e == 0) { break; }',
      '    if ((e & 1) == 1) { r = r * base; }',
      '    base = base * base;',
      '    e = e >> 1u;',
      '  }',
      '  return select(r, 1.0f / r, n < 0);',
      '}',
    ].join('\n'),
  },
  nl_pow: {
    deps: [],
    code: [
      'fn nl_pow(a: f32, b: f32) -> f32 {',
      '  if (b == 0.0) { return 1.0f; }',
      '  if (a > 0.0) { return pow(a, b); }',
      '  if (a == 0.0) { return select(cfg.inf, 0.0f, b > 0.0); }',
      '  if (b != floor(b)) { return cfg.nan; }',
      '  let m = pow(-a, b);',
      '  let odd = (b - 2.0f * floor(b * 0.5f)) == 1.0f;',
      '  return select(m, -m, odd);',
      '}',
    ].join('\n'),
  },
};

/** How each IR function maps to WGSL: a builtin name or a helper. */
const FUNCTION_MAP: Readonly<Record<IrFunctionName, string>> = {
  exp: 'exp', log: 'nl_log', log10: 'nl_log10', log2: 'nl_log2', sqrt: 'nl_sqrt', cbrt: 'nl_cbrt',
  abs: 'abs', sign: 'sign', sin: 'sin', cos: 'cos', tan: 'tan', asin: 'nl_asin', acos: 'nl_acos',
  atan: 'atan', sinh: 'sinh', cosh: 'cosh', tanh: 'tanh', erf: 'nl_erf', erfc: 'nl_erfc',
  step: 'nl_step', atan2: 'atan2', min: 'min', max: 'max', hypot: 'nl_hypot',
  faddeeva_re: 'nl_faddeeva_re', faddeeva_im: 'nl_faddeeva_im',
};

/**
 * Format a number as a WGSL f32 expression: the nearest f32 as an exact decimal literal with the
 * `f` suffix, parenthesised when negative; `cfg.inf` / `cfg.nan` for values outside the f32 range
 * or non-finite (WGSL rejects non-finite const-expressions).
 *
 * @param value - an f64 constant.
 * @returns a WGSL expression of type f32.
 */
export function wgslF32Literal(value: number): string {
  if (Number.isNaN(value)) return 'cfg.nan';
  const f = Math.fround(value);
  if (!Number.isFinite(f)) return f > 0 ? 'cfg.inf' : '(-cfg.inf)';
  if (Object.is(f, -0)) return '(-0.0f)';
  const text = String(f);
  return f < 0 ? `(${text}f)` : `${text}f`;
}

/** WGSL expression of one operand, recording which parameters and variables are read. */
function operandExpr(o: Operand, program: Program, params: Set<number>, vars: Set<number>): string {
  switch (o.kind) {
    case 'const':
      return wgslF32Literal(o.value);
    case 'param':
      if (o.index < 0 || o.index >= program.params.length) throw badOperand(o, program);
      params.add(o.index);
      return `th${o.index}`;
    case 'var':
      if (o.index < 0 || o.index >= program.variables.length) throw badOperand(o, program);
      vars.add(o.index);
      return `x${o.index}`;
    case 'tmp':
      return `t${o.index}`;
  }
}

function badOperand(o: Operand, program: Program): NlsqRangeError {
  return new NlsqRangeError(
    `generateWgslPointBody: program operand ${o.kind} ${String((o as { index?: number }).index)} is out of range ` +
      `(${program.params.length} params, ${program.variables.length} variables)`,
    'program',
  );
}

/** WGSL expression of one instruction; `need` collects the helpers it calls. */
function instrExpr(ins: Instr, args: readonly string[], need: Set<string>, index: number): string {
  const [a, b] = args;
  switch (ins.op) {
    case 'add': return `${a} + ${b}`;
    case 'sub': return `${a} - ${b}`;
    case 'mul': return `${a} * ${b}`;
    case 'div': return `${a} / ${b}`;
    case 'neg': return `-${a}`;
    case 'pow': {
      const e = ins.args[1]!;
      if (e.kind === 'const' && Number.isInteger(e.value) && Math.abs(e.value) <= MAX_POWI_EXPONENT) {
        need.add('nl_powi');
        return `nl_powi(${a}, ${e.value})`;
      }
      need.add('nl_pow');
      return `nl_pow(${a}, ${b})`;
    }
    case 'call': {
      const fn = ins.fn;
      const target = fn === undefined ? undefined : FUNCTION_MAP[fn];
      if (target === undefined) {
        throw new NlsqRangeError(`generateWgslPointBody: instruction ${index} calls unknown function ${String(fn)}`, 'program');
      }
      if (target.startsWith('nl_')) need.add(target);
      return `${target}(${args.join(', ')})`;
    }
  }
}

/** Emit the helper definitions in dependency order. */
function emitHelpers(need: ReadonlySet<string>): string {
  const order: string[] = [];
  const visit = (name: string): void => {
    if (order.includes(name)) return;
    for (const d of HELPERS[name]!.deps) visit(d);
    order.push(name);
  };
  for (const name of [...need].sort()) visit(name);
  return order.map((n) => HELPERS[n]!.code).join('\n');
}

/**
 * Generate the per-point WGSL body of an IR program: the live instructions as `let` statements
 * and the expressions of f and (optionally) every ∂f/∂θ_j.
 *
 * The body reads `th<j>` (parameter j, f32), `x<k>` (variable k at the point, f32) and the
 * uniform `cfg` (fields `nan`, `inf`); the embedding kernel defines them.
 *
 * @param program - the IR program (`lowerToProgram(model)`).
 * @param gradient - also emit the derivatives (false: only what f needs).
 * @returns the statements, the result expressions and the helpers they call.
 * @throws NlsqRangeError when the program references a parameter or variable out of range or an
 *   unknown function.
 */
export function generateWgslPointBody(program: Program, gradient: boolean): WgslPointBody {
  if (gradient && program.gradient.length !== program.params.length) {
    throw new NlsqRangeError(
      `generateWgslPointBody: program.gradient must have one entry per parameter (${program.params.length}), got ${program.gradient.length}`,
      'program',
    );
  }
  const roots = gradient ? [program.value, ...program.gradient] : [program.value];
  const live = liveInstructions(program, roots, 'generateWgslPointBody');
  const params = new Set<number>();
  const vars = new Set<number>();
  const need = new Set<string>();
  const lines: string[] = [];
  program.instructions.forEach((ins, i) => {
    if (live[i] !== 1) return;
    for (const arg of ins.args) {
      if (arg.kind === 'tmp' && arg.index >= i) {
        throw new NlsqRangeError(`generateWgslPointBody: instruction ${i} reads temporary ${arg.index}, not yet defined`, 'program');
      }
    }
    const args = ins.args.map((o) => operandExpr(o, program, params, vars));
    lines.push(`let t${i}: f32 = ${instrExpr(ins, args, need, i)};`);
  });
  const value = operandExpr(program.value, program, params, vars);
  const grad = gradient ? program.gradient.map((g) => operandExpr(g, program, params, vars)) : [];
  return {
    helpers: emitHelpers(need),
    statements: lines.join('\n'),
    value,
    gradient: grad,
    usedParams: [...params].sort((x, y) => x - y),
    usedVariables: [...vars].sort((x, y) => x - y),
  };
}
