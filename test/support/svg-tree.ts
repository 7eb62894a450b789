/**
 * Test helper: a small XML reader for the SVG documents Vega writes (elements, attributes, text;
 * comments, declarations and CDATA skipped), with class and text queries — enough to check that
 * a figure holds its marks and axis titles without a DOM.
 */

/** An element of the document. */
export interface SvgNode {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: SvgNode[];
  /** The text directly inside the element (entities decoded). */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? m;
  });
}

/**
 * Parse an SVG (XML) document.
 * @throws Error on a mismatched closing tag or an unclosed element (the document is not well formed).
 */
export function parseSvg(xml: string): SvgNode {
  const root: SvgNode = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: SvgNode[] = [root];
  const tag = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[[\s\S]*?\]\]>|<!DOCTYPE[^>]*>|<\/([\w:.-]+)\s*>|<([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(xml); m !== null; m = tag.exec(xml)) {
    const top = stack[stack.length - 1]!;
    top.text += decode(xml.slice(last, m.index));
    last = tag.lastIndex;
    if (m[1] !== undefined) {
      const open = stack.pop()!;
      if (open.name !== m[1]) throw new Error(`svg-tree: </${m[1]}> closes <${open.name}>`);
    } else if (m[2] !== undefined) {
      const attrs: Record<string, string> = {};
      for (const a of (m[3] ?? '').matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[a[1]!] = decode(a[2] ?? a[3] ?? '');
      const node: SvgNode = { name: m[2], attrs, children: [], text: '' };
      top.children.push(node);
      if (m[4] !== '/') stack.push(node);
    }
  }
  if (stack.length !== 1) throw new Error(`svg-tree: <${stack[stack.length - 1]!.name}> is not closed`);
  return root;
}

/** Every element under `node` (depth first, `node` included). */
export function descendants(node: SvgNode): SvgNode[] {
  return [node, ...node.children.flatMap(descendants)];
}

/** Elements whose class list holds every one of `classes`. */
export function byClass(node: SvgNode, ...classes: string[]): SvgNode[] {
  return descendants(node).filter((n) => {
    const list = (n.attrs['class'] ?? '').split(/\s+/);
    return classes.every((c) => list.includes(c));
  });
}

/** All text under `node`, concatenated. */
export function textOf(node: SvgNode): string {
  return node.text + node.children.map(textOf).join('');
}

/** The drawn items of a Vega mark group: the element children of its `<g class="… <name>">`. */
export function markItems(svg: SvgNode, markName: string): SvgNode[] {
  const groups = byClass(svg, 'role-mark', markName);
  if (groups.length === 0) return [];
  return groups.flatMap((g) => g.children);
}
