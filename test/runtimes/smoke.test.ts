import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// Plain JavaScript shared with Deno, Bun and browsers (no declarations).
import * as smoke from './smoke.js';

interface Case {
  name: string;
  run: () => Promise<void>;
}
interface Outcome {
  passed: number;
  failed: number;
  lines: string[];
}
const { assertClose, runCases, summaryLine, smokeCases, backendsToTest, environmentCase } = smoke as {
  assertClose: (a: ArrayLike<number>, e: number[], rtol: number, what: string) => void;
  runCases: (cases: Case[], log?: (line: string) => void) => Promise<Outcome>;
  summaryLine: (r: { passed: number; failed: number }) => string;
  smokeCases: (nlsq: Record<string, unknown>, backends: string[]) => Case[];
  backendsToTest: (nlsq: Record<string, unknown>) => Promise<string[]>;
  environmentCase: (nlsq: Record<string, unknown>, env: unknown) => Case;
};

const sourceEntry = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
const inCi = process.env.CI === 'true' || process.env.CI === '1';

describe('the smoke runner', () => {
  it('counts passing and failing cases and reports each failure with its reason', async () => {
    const logged: string[] = [];
    const result = await runCases(
      [
        { name: 'fine', run: async () => {} },
        { name: 'broken', run: async () => Promise.reject(new Error('boom')) },
        { name: 'throws synchronously', run: () => { throw new Error('sync boom'); } },
      ],
      (line) => logged.push(line),
    );
    expect([result.passed, result.failed]).toEqual([1, 2]);
    expect(logged[0]).toBe('ok   fine');
    expect(logged[1]).toMatch(/^FAIL broken: Error: boom/);
    expect(logged[2]).toMatch(/^FAIL throws synchronously: Error: sync boom/);
    expect(summaryLine(result)).toBe('1 passed, 2 failed');
  });

  it('checks values to a relative tolerance and rejects wrong lengths', () => {
    expect(() => assertClose([3.000001, 1.2], [3, 1.2], 1e-6, 'p')).not.toThrow();
    expect(() => assertClose([3.0001, 1.2], [3, 1.2], 1e-6, 'p')).toThrow(/p: entry 0 is 3.0001, expected 3/);
    expect(() => assertClose([3], [3, 1.2], 1e-6, 'p')).toThrow(/expected 2 values/);
    expect(() => assertClose([Number.NaN, 1.2], [3, 1.2], 1e-6, 'p')).toThrow(/entry 0 is NaN/);
  });

  it('fails every fitting case against a package that lacks the API', async () => {
    const result = await runCases(smokeCases({}, ['cpu']));
    expect(result.passed).toBe(0);
    expect(result.failed).toBeGreaterThan(3);
    expect(result.lines.join('\n')).toMatch(/the package does not export listBackends/);
  });
});

const skipSource = !existsSync(sourceEntry) && !inCi;
describe.skipIf(skipSource)(`the smoke suite on the source package in Node${skipSource ? ' (skipped: src/index.ts is missing)' : ''}`, () => {
  it('passes every case on the backends that load here, and under NLSQ_BACKEND', async () => {
    const nlsq = (await import(sourceEntry)) as Record<string, unknown>;
    const backends = await backendsToTest(nlsq);
    const env = {
      get: (n: string) => process.env[n],
      set: (n: string, v: string) => void (process.env[n] = v),
      unset: (n: string) => void delete process.env[n],
    };
    const result = await runCases([...smokeCases(nlsq, backends), environmentCase(nlsq, env)]);
    expect(result.lines.filter((l) => l.startsWith('FAIL'))).toEqual([]);
    expect(result.passed).toBeGreaterThanOrEqual(10);
  });
});
