/**
 * Test helper: the import graph of the TypeScript sources under `src/`, type-only imports
 * included (a cycle through types is still a cycle a reader has to untangle), and the layer
 * list that `docs/architecture.md` draws.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** One relative import between two source files (paths relative to `src/`). */
export interface SourceEdge {
  readonly from: string;
  readonly to: string;
  readonly line: number;
}

function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listSources(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Every relative import (static, re-export, `import type`, dynamic `import('…')`) in `srcDir`. */
export function sourceEdges(srcDir: string): SourceEdge[] {
  const edges: SourceEdge[] = [];
  for (const file of listSources(srcDir)) {
    const text = readFileSync(file, 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const add = (node: ts.Node, specifier: string): void => {
      if (!specifier.startsWith('.')) return;
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      edges.push({ from: relative(srcDir, file), to: relative(srcDir, resolve(dirname(file), specifier)), line });
    };
    const visit = (node: ts.Node): void => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        add(node, node.moduleSpecifier.text);
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const [arg] = node.arguments;
        if (arg !== undefined && ts.isStringLiteralLike(arg)) add(node, arg.text);
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
        add(node, node.argument.literal.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return edges;
}

/** The cycles of the graph (each as the files on it, first repeated last); empty when acyclic. */
export function findCycles(edges: readonly SourceEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const to of next.get(node) ?? []) {
      if (state.get(to) === 'open') cycles.push([...stack.slice(stack.indexOf(to)), to]);
      else if (state.get(to) === undefined) visit(to);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...next.keys()].sort()) if (state.get(node) === undefined) visit(node);
  return cycles;
}

/**
 * The layers, bottom to top (docs/architecture.md). A unit is a folder under `src/` or a file at
 * its root; `'.'` is every other root file (the public API). A file may import its own unit and
 * any unit of a lower layer; units of one layer are siblings and never import each other.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['errors.ts'],
  ['util', 'linalg', 'sampling'],
  ['stats'],
  ['model'],
  ['backends', 'optim'],
  ['sources', 'options', 'workflow'],
  ['evaluate'],
  ['parallel'],
  ['result'],
  ['streaming', 'sql'],
  ['run'],
  ['batch'],
  ['global'],
  ['.', 'node', 'plot'],
  ['cli'],
];

/** The unit of a `src/`-relative path: its first folder, a listed root file, or `'.'`. */
export function unitOf(path: string): string {
  const parts = path.split(/[\\/]/);
  if (parts.length > 1) return parts[0] as string;
  return LAYERS.some((layer) => layer.includes(path)) ? path : '.';
}

/** The layer index of a unit, or -1 for a unit the list does not name. */
export function layerOf(unit: string): number {
  return LAYERS.findIndex((layer) => layer.includes(unit));
}

/** The imports that break the layer list, as `from:line → to (why)`. */
export function layerViolations(edges: readonly SourceEdge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const a = unitOf(e.from);
    const b = unitOf(e.to);
    if (a === b) continue;
    const la = layerOf(a);
    const lb = layerOf(b);
    if (la < 0 || lb < 0) out.push(`${e.from}:${e.line} → ${e.to} (unit ${la < 0 ? a : b} is in no layer)`);
    else if (lb > la) out.push(`${e.from}:${e.line} → ${e.to} (${a} imports upward into ${b})`);
    else if (lb === la) out.push(`${e.from}:${e.line} → ${e.to} (siblings ${a} and ${b})`);
  }
  return out;
}
