/**
 * Test helper: walk the import graph of built ES modules with the TypeScript parser.
 *
 * For each reachable file it records every module specifier (static imports, re-exports, dynamic
 * `import('…')` with a literal, `require('…')`) with its line, and every top-level `await` /
 * `for await`. Relative specifiers are followed; bare ones are recorded and not followed.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';

/** One module specifier found in a file. */
export interface ImportSite {
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
  readonly kind: 'static' | 'dynamic' | 'require';
}

/** What the walk found. */
export interface ImportGraph {
  /** Every reachable file (absolute paths), entry first. */
  readonly files: string[];
  /** Every specifier in those files. */
  readonly imports: ImportSite[];
  /** Top-level awaits: `file:line`. */
  readonly topLevelAwaits: string[];
  /** Relative specifiers whose target does not exist. */
  readonly unresolved: ImportSite[];
  /** Dynamic imports whose argument is not a string literal (cannot be followed): `file:line`. */
  readonly opaqueDynamicImports: string[];
}

function isFunctionLike(node: ts.Node): boolean {
  return ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node);
}

function scanFile(file: string, graph: ImportGraph): string[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const lineOf = (node: ts.Node): number => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const found: string[] = [];
  const add = (node: ts.Node, specifier: string, kind: ImportSite['kind']): void => {
    graph.imports.push({ file, line: lineOf(node), specifier, kind });
    found.push(specifier);
  };
  const visit = (node: ts.Node, topLevel: boolean): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node, node.moduleSpecifier.text, 'static');
    } else if (ts.isCallExpression(node)) {
      const [arg] = node.arguments;
      const literal = arg !== undefined && ts.isStringLiteralLike(arg) ? arg.text : null;
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        if (literal !== null) add(node, literal, 'dynamic');
        else graph.opaqueDynamicImports.push(`${file}:${lineOf(node)}`);
      } else if (ts.isIdentifier(node.expression) && node.expression.text === 'require' && literal !== null) {
        add(node, literal, 'require');
      }
    }
    if (topLevel && (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier !== undefined))) {
      graph.topLevelAwaits.push(`${file}:${lineOf(node)}`);
    }
    const childTopLevel = topLevel && !isFunctionLike(node);
    ts.forEachChild(node, (child) => visit(child, childTopLevel));
  };
  visit(source, true);
  return found;
}

/**
 * Walk the graph from `entry`, following relative specifiers.
 * @param entry - absolute path of the entry module.
 */
export function walkImportGraph(entry: string): ImportGraph {
  const graph: ImportGraph = { files: [], imports: [], topLevelAwaits: [], unresolved: [], opaqueDynamicImports: [] };
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    graph.files.push(file);
    const before = graph.imports.length;
    scanFile(file, graph);
    for (const site of graph.imports.slice(before)) {
      if (!site.specifier.startsWith('.') && !site.specifier.startsWith('/')) continue;
      const target = resolve(dirname(file), site.specifier);
      try {
        readFileSync(target);
        queue.push(target);
      } catch {
        graph.unresolved.push(site);
      }
    }
  }
  return graph;
}

/** The package name of a bare specifier (`@scope/name/sub` → `@scope/name`, `name/sub` → `name`). */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}
