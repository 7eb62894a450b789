import { packedEntries } from '../../../src/linalg/gram-triangle.ts';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  WORKGROUP_SIZE,
  generateGramKernel,
  workgroupsFor,
} from '../../../src/backends/webgpu/gram-partials.wgsl.ts';
import { expDecayProgram } from './ir-reference.ts';

describe('generateGramKernel', () => {
  it('accumulates the (p+1)(p+2)/2 products of the augmented row with the Jacobian', () => {
    const k = generateGramKernel({ program: expDecayProgram(), jacobian: true, weighted: false });
    expect(k.entries).toBe(10);
    expect(k.columns).toBe(3);
    expect(k.code).toContain('const E: u32 = 10u;');
    expect(k.code).toContain('acc[9] = acc[9] + r * r;');
    expect(k.code).toContain('acc[1] = acc[1] + j0 * j1;');
    expect(k.code).not.toContain('atomic');
  });

  it('accumulates only r² in the cost-only variant, without derivative code', () => {
    const k = generateGramKernel({ program: expDecayProgram(), jacobian: false, weighted: false });
    expect(k.entries).toBe(1);
    expect(k.code).toContain('acc[0] = acc[0] + r * r;');
    expect(k.code).not.toContain('let j0');
  });

  it('reads the weight column after y_hi and y_lo when weighted', () => {
    const k = generateGramKernel({ program: expDecayProgram(), jacobian: true, weighted: true });
    expect(k.columns).toBe(4);
    expect(k.code).toContain('let wt = data[3u * n + i];');
    expect(k.code).toContain('((t4 - data[1u * n + i]) - data[2u * n + i])');
    expect(k.label).toBe('nlsq-gram-p3-k1-jac-w');
  });

  it('scales rows for a robust loss and adds Σρ as one last entry', () => {
    const k = generateGramKernel({ program: expDecayProgram(), jacobian: true, weighted: false, loss: 'huber' });
    expect(k.entries).toBe(11);
    expect(k.code).toContain('let j0 = sc * wt * t2;');
    expect(k.code).toContain('acc[9] = acc[9] + rs * rs;');
    expect(k.code).toContain('acc[10] = acc[10] + q0;');
    expect(k.label).toBe('nlsq-gram-p3-k1-jac-huber');
    const c = generateGramKernel({ program: expDecayProgram(), jacobian: false, weighted: false, loss: 'cauchy' });
    expect(c.entries).toBe(1);
    expect(c.code).toContain('acc[0] = acc[0] + q0;');
  });

  it('gives different shader text to different variants (distinct pipeline-cache keys)', () => {
    const a = generateGramKernel({ program: expDecayProgram(), jacobian: true, weighted: false }).code;
    const b = generateGramKernel({ program: expDecayProgram(), jacobian: true, weighted: true }).code;
    expect(a).not.toBe(b);
  });
});

describe('packedEntries', () => {
  it('counts the upper triangle with the diagonal', () => {
    expect([1, 2, 3, 4].map(packedEntries)).toEqual([1, 3, 6, 10]);
  });
});

describe('workgroupsFor', () => {
  test.prop([fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 1, max: 64 })])(
    'stays within [1, maxGroups] and covers n within the points-per-thread target when allowed',
    (n, maxGroups, ppt) => {
      const g = workgroupsFor(n, maxGroups, ppt);
      expect(g).toBeGreaterThanOrEqual(1);
      expect(g).toBeLessThanOrEqual(maxGroups);
      if (g < maxGroups) expect(g * WORKGROUP_SIZE * ppt).toBeGreaterThanOrEqual(n);
    },
  );
});
