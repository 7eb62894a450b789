/**
 * acorn is loaded lazily: no module of src/ imports it statically (type-only imports are erased),
 * and loading it twice shares one load.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadedJsParser, loadJsParser } from '../../../src/model/lift/js-parser.ts';

const SRC = new URL('../../../src/', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
}

describe('the JavaScript parser', () => {
  it('is imported by src/ only as types or by a dynamic import()', () => {
    const uses = sourceFiles(SRC).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => /['"]acorn['"]/.test(line) && !/^\s*(\*|\/\/)/.test(line))
        .map((line) => line.trim()),
    );
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) expect(line).toMatch(/^import type .* from 'acorn';$|import\('acorn'\)/);
  });

  it('loads once, on demand', async () => {
    expect(loadedJsParser()).toBeUndefined();
    const [a, b] = await Promise.all([loadJsParser(), loadJsParser()]);
    expect(a).toBeDefined();
    expect(a).toBe(b);
    expect(loadedJsParser()).toBe(a);
    expect(a!.parseExpressionAt('(x, a) => a * x', 0, { ecmaVersion: 'latest' }).type).toBe('ArrowFunctionExpression');
  });
});
