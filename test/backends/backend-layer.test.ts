/**
 * The backends sit below the data walks and beside the optimizer: no file under `src/backends/`
 * imports `src/optim/` or `src/evaluate/` (type-only and dynamic imports included), nor anything
 * else above its layer. A device evaluator returns plain numbers; the `ResidualProblem` adapter
 * over it lives in `evaluate/`.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { layerViolations, sourceEdges } from '../package/source-graph.ts';

const src = join(dirname(fileURLToPath(import.meta.url)), '../../src');
const edges = sourceEdges(src).filter((e) => e.from.startsWith('backends/'));

describe('src/backends imports', () => {
  it('sees the backends folder (the graph is not empty)', () => {
    expect(edges.some((e) => e.from === 'backends/webgpu/webgpu-backend.ts' && e.to === 'backends/webgpu/webgpu-evaluator.ts')).toBe(true);
  });

  it('no file under src/backends/ imports src/optim/ or src/evaluate/', () => {
    const upward = edges.filter((e) => /^(optim|evaluate)\//.test(e.to)).map((e) => `${e.from}:${e.line} → ${e.to}`);
    expect(upward).toEqual([]);
  });

  it('no file under src/backends/ breaks the layer list', () => {
    expect(layerViolations(edges)).toEqual([]);
  });
});
