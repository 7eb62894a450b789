/**
 * Every error the library throws is an NlsqError (errors.ts): a scan of src/ for bare built-in
 * errors and for thrown classes outside the NlsqError family, plus the behaviour of the public
 * functions whose checks used to throw built-in errors.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCpuBackend, NlsqError, NlsqRangeError, normalQuantile, studentTQuantile, twoSidedTCritical } from '../../src/index.ts';

const SRC = new URL('../../src/', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(path);
    return d.name.endsWith('.ts') ? [path] : [];
  });
}

/** Class names that extend NlsqError, directly or through another member, over the given sources. */
function nlsqErrorClasses(sources: readonly string[]): Set<string> {
  const parents = new Map<string, string>();
  for (const text of sources) for (const m of text.matchAll(/\bclass\s+(\w+)\s+extends\s+(\w+)/g)) parents.set(m[1]!, m[2]!);
  const family = new Set(['NlsqError']);
  for (let grown = true; grown; ) {
    grown = false;
    for (const [child, parent] of parents) {
      if (!family.has(child) && family.has(parent)) {
        family.add(child);
        grown = true;
      }
    }
  }
  return family;
}

/**
 * The offending lines of one source: any construction of a built-in error (`new Error(`,
 * `new RangeError(`, … — thrown, returned or rejected), and any `throw new X(` or error-like
 * `new XError(` whose class is not in `family`.
 */
function errorViolations(text: string, family: ReadonlySet<string>): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (/^\s*(\*|\/\/)/.test(line)) return; // doc and line comments
    for (const m of line.matchAll(/\bnew\s+((?:Range|Type|Syntax|Reference|Eval|URI|Aggregate)?Error)\s*\(/g)) out.push(`${i + 1}: built-in ${m[1]}: ${line.trim()}`);
    for (const m of line.matchAll(/\bthrow\s+new\s+(\w+)\s*\(/g)) if (!family.has(m[1]!) && !/^(Range|Type|Syntax|Reference|Eval|URI|Aggregate)?Error$/.test(m[1]!)) out.push(`${i + 1}: throws ${m[1]}, not an NlsqError: ${line.trim()}`);
    for (const m of line.matchAll(/\bnew\s+(\w+Error)\s*\(/g)) if (!family.has(m[1]!) && !/^(Range|Type|Syntax|Reference|Eval|URI|Aggregate)?Error$/.test(m[1]!)) out.push(`${i + 1}: creates ${m[1]}, not an NlsqError: ${line.trim()}`);
  });
  return out;
}

describe('every thrown error is an NlsqError', () => {
  const files = sourceFiles(SRC);
  const texts = files.map((f) => readFileSync(f, 'utf8'));
  const family = nlsqErrorClasses(texts);

  it('finds the NlsqError family in src/errors.ts and beyond', () => {
    for (const name of ['NlsqError', 'NlsqTypeError', 'NlsqRangeError', 'ModelParseError', 'BackendUnavailableError', 'DataSourceError', 'DeviceLostError']) expect(family).toContain(name);
    expect(family).not.toContain('Error');
  });

  it('the scan catches what it must (checked on made-up lines)', () => {
    const bad = [
      "throw new RangeError('x: must be positive');",
      'if (a) throw new TypeError(`x`);',
      'throw new Error("boom");',
      'return new SyntaxError(msg);',
      'throw new WeirdThing(msg);',
      'const e = new HomeMadeError(msg);',
    ];
    for (const line of bad) expect(errorViolations(line, family), line).toHaveLength(1);
    const good = ["throw new NlsqRangeError('x: must be positive', 'x');", ' * @throws RangeError in a doc comment', 'throw error;', 'if (e instanceof RangeError) return;'];
    for (const line of good) expect(errorViolations(line, family), line).toEqual([]);
  });

  it('src/ constructs no built-in error and throws no class outside the family', () => {
    const found = files.flatMap((f, k) => errorViolations(texts[k]!, family).map((v) => `${relative(SRC, f)}:${v}`));
    expect(found).toEqual([]);
  });
});

describe('the public statistics functions and backends report an NlsqRangeError naming the argument', () => {
  const caught = (f: () => unknown): NlsqError => {
    try {
      f();
    } catch (e) {
      return e as NlsqError;
    }
    throw new Error('expected a throw');
  };

  it('studentTQuantile, normalQuantile and twoSidedTCritical', () => {
    const cases: [() => unknown, string, string][] = [
      [() => studentTQuantile(1.5, 3), 'p', 'studentTQuantile: p must be in [0, 1], got 1.5'],
      [() => studentTQuantile(0.5, 0), 'dof', 'studentTQuantile: dof must be positive, got 0'],
      [() => studentTQuantile(NaN, 3), 'p', 'studentTQuantile: p must be in [0, 1], got NaN'],
      [() => normalQuantile(-0.1), 'p', 'normalQuantile: p must be in [0, 1], got -0.1'],
      [() => twoSidedTCritical(1, 5), 'level', 'twoSidedTCritical: level must be in (0, 1), got 1'],
      [() => twoSidedTCritical(0.95, -1), 'dof', 'twoSidedTCritical: dof must be positive, got -1'],
    ];
    for (const [f, argument, message] of cases) {
      const e = caught(f);
      expect(e).toBeInstanceOf(NlsqRangeError);
      expect(e).toMatchObject({ code: 'ERR_RANGE', argument, message });
    }
    expect(studentTQuantile(0.975, 10)).toBeAllclose(2.2281388519649385, { rtol: 1e-14 });
  });

  it("a backend's createWorkspace", () => {
    const cpu = createCpuBackend();
    expect(caught(() => cpu.createWorkspace(0, 3))).toMatchObject({ code: 'ERR_RANGE', argument: 'capacity', message: 'cpu.createWorkspace: capacity and cols must be positive integers, got 0 × 3' });
    expect(caught(() => cpu.createWorkspace(3, 1.5))).toMatchObject({ argument: 'cols' });
    expect(caught(() => cpu.createWorkspace(2 ** 40, 8))).toBeInstanceOf(NlsqRangeError);
  });
});
