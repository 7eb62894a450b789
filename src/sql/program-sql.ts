/**
 * Code generation from the IR (`model/ir.ts`) to SQL: the model value f and its derivatives
 * ∂f/∂θ_j as columns of nested SELECTs, one level per depth of the program's SSA temporaries.
 *
 * SQL has no `let`, so a temporary shared by f and several derivatives (the `exp(-b*t)` of
 * `a*exp(-b*t)+c`) becomes a column of a derived table that later levels read by name: level 0
 * reads and casts the data columns, level d computes the temporaries whose operands are all
 * defined below d (`SELECT *, <expr> AS t_i FROM (level d−1)`). The text grows with the program,
 * never exponentially, whatever the sharing. Only the temporaries the requested outputs reach
 * are emitted (a cost-only query computes no derivative).
 *
 * Nothing from the caller becomes SQL text here: the program comes from the model's parsed and
 * differentiated expression (never the user's string), constants are JavaScript numbers written
 * as numeric literals, parameters θ are bound (`sql-binder.ts`), and the data columns' names are
 * validated and quoted by the caller (`identifiers.ts`). Every value is cast to the dialect's
 * DOUBLE, so integer columns and literals never take integer arithmetic.
 *
 * @module
 */
import { NlsqTypeError } from '../errors.ts';
import type { Operand, Program } from '../model/ir.ts';
import type { SqlDialect, SqlFunctionName } from './dialects/sql-dialect.ts';
import type { SqlBinder } from './sql-binder.ts';

/** Internal column names of the generated levels (quoted; no caller's name is ever one of them). */
export const COLUMN = Object.freeze({
  variable: (k: number) => `nlsq_v${k}`,
  temporary: (i: number) => `nlsq_t${i}`,
  y: 'nlsq_y',
  sigma: 'nlsq_s',
  group: 'nlsq_g',
});

/** What the generated levels need to know. */
export interface ProgramSqlInput {
  /** The model's IR. */
  readonly program: Program;
  /** Target dialect. */
  readonly dialect: SqlDialect;
  /** Collects the bound parameters. */
  readonly binder: SqlBinder;
  /** Slot of θ_0 (θ_j is slot `thetaSlot + j`). */
  readonly thetaSlot: number;
  /** SQL for θ_j when the parameters are columns (one θ per group) instead of bound values. */
  readonly paramSql?: (j: number) => string;
  /** Whether the derivatives are needed (else only f). */
  readonly gradient: boolean;
  /** Caller for messages. */
  readonly caller: string;
}

/** The generated levels and where f and ∂f/∂θ_j are. */
export interface ProgramSql {
  /** Select-list items of each level above level 0, bottom up (each level selects `*` plus these). */
  readonly levels: readonly (readonly string[])[];
  /** SQL for f at the top level. */
  readonly value: string;
  /** SQL for ∂f/∂θ_j at the top level (empty without `gradient`). */
  readonly gradient: readonly string[];
}

/** A quoted internal column. */
export function column(dialect: SqlDialect, name: string): string {
  return dialect.identifierQuote + name + dialect.identifierQuote;
}

/** A JavaScript number as a DOUBLE literal of the dialect. */
export function doubleLiteral(dialect: SqlDialect, v: number): string {
  const text = Number.isFinite(v) ? String(v) : `'${Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity'}'`;
  return `CAST(${text} AS ${dialect.doubleType})`;
}

/**
 * Generate the levels computing f (and ∂f/∂θ) from level 0's columns `nlsq_v<k>`.
 *
 * @param input - program, dialect, binder, θ's slot, whether derivatives are needed.
 * @returns the levels and the top-level SQL of f and its gradient.
 * @throws NlsqTypeError (argument `f`) when the model calls a function the dialect lacks.
 */
export function programSql(input: ProgramSqlInput): ProgramSql {
  const { program, dialect, binder, thetaSlot, caller } = input;
  const { instructions } = program;
  const live = new Uint8Array(instructions.length);
  const mark = (o: Operand): void => {
    if (o.kind !== 'tmp' || live[o.index] === 1) return;
    live[o.index] = 1;
    for (const a of instructions[o.index]!.args) mark(a);
  };
  mark(program.value);
  if (input.gradient) program.gradient.forEach(mark);
  // marks run from uses to definitions; instructions only read smaller indices, so one more
  // backward sweep is not needed: mark() recursed into every operand it reached.
  const depth = new Int32Array(instructions.length);
  const operandSql = (o: Operand): string => {
    switch (o.kind) {
      case 'const': return doubleLiteral(dialect, o.value);
      case 'param': return input.paramSql?.(o.index) ?? binder.double(thetaSlot + o.index);
      case 'var': return column(dialect, COLUMN.variable(o.index));
      case 'tmp': return column(dialect, COLUMN.temporary(o.index));
    }
  };
  const levels: string[][] = [];
  for (let i = 0; i < instructions.length; i++) {
    if (live[i] === 0) continue;
    const ins = instructions[i]!;
    let d = 0;
    for (const a of ins.args) if (a.kind === 'tmp') d = Math.max(d, depth[a.index]!);
    depth[i] = d + 1;
    const args = ins.args.map(operandSql);
    let expr: string;
    switch (ins.op) {
      case 'add': expr = `(${args[0]} + ${args[1]})`; break;
      case 'sub': expr = `(${args[0]} - ${args[1]})`; break;
      case 'mul': expr = `(${args[0]} * ${args[1]})`; break;
      case 'div': expr = `(${args[0]} / ${args[1]})`; break;
      case 'neg': expr = `(-${args[0]})`; break;
      case 'pow': expr = spell(dialect, 'pow', args, caller); break;
      case 'call': expr = spell(dialect, ins.fn!, args, caller); break;
    }
    (levels[d] ??= []).push(`${expr} AS ${column(dialect, COLUMN.temporary(i))}`);
  }
  return {
    levels: levels.map((l) => l ?? []),
    value: operandSql(program.value),
    gradient: input.gradient ? program.gradient.map(operandSql) : [],
  };
}

function spell(dialect: SqlDialect, fn: SqlFunctionName, args: readonly string[], caller: string): string {
  const spelling = dialect.functions[fn];
  if (spelling === undefined) {
    throw new NlsqTypeError(`${caller}: the model calls ${fn}(), which the ${dialect.name} dialect has no SQL function for; rewrite the model without it or fit the data in memory with curveFit`, 'f');
  }
  return spelling(args);
}
