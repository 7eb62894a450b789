/**
 * plotProfile on a real fit: the spec holds the profile's numbers (trace, threshold, interval,
 * the covariance parabola computed here), and the rendered SVG holds the curve, the points, the
 * threshold rule, the two interval rules and the titled axes.
 */
import { describe, expect, it } from 'vitest';
import { NlsqRangeError, NlsqTypeError } from '../../src/index.ts';
import { plotProfile, toSVG } from '../../src/plot/index.ts';
import { byClass, markItems, parseSvg, textOf } from '../support/svg-tree.ts';
import { decayFit } from './fit-fixtures.ts';

type Layer = { name: string; data: { values: Record<string, number>[] } };
const layers = (spec: Record<string, unknown>): Record<string, Layer> => Object.fromEntries((spec['layer'] as Layer[]).map((l) => [l.name, l]));

describe('plotProfile', () => {
  it('draws χ²(t) of the refits, the threshold, the interval and the covariance parabola', async () => {
    const { r } = await decayFit(40);
    const profile = await r.profile('b', { level: 0.95 });
    const spec = await plotProfile(profile);
    const L = layers(spec);
    const curve = L['profile_curve']!.data.values;
    expect(curve.map((q) => q['value'])).toEqual(Array.from(profile.trace.values));
    expect(curve.map((q) => q['chiSquare'])).toEqual(Array.from(profile.trace.chiSquare));
    expect(L['profile_threshold']!.data.values[0]!['chiSquare']).toBe(profile.chiSquareThreshold);
    expect(L['profile_interval']!.data.values.map((q) => q['value'])).toEqual([profile.lower, profile.upper]);
    const sigma = r.perr[1]!;
    for (const q of L['profile_parabola']!.data.values) {
      expect(q['chiSquare']).toBeCloseTo(profile.chiSquareMin * (1 + ((q['value']! - r.popt[1]!) / sigma) ** 2 / r.dof), 8);
    }
    const svg = parseSvg(await toSVG(spec));
    expect(markItems(svg, 'profile_curve_marks')).toHaveLength(1);
    expect(markItems(svg, 'profile_points_marks')).toHaveLength(curve.length);
    expect(markItems(svg, 'profile_threshold_marks')).toHaveLength(1);
    expect(markItems(svg, 'profile_interval_marks')).toHaveLength(2);
    expect(markItems(svg, 'profile_best_marks')).toHaveLength(1);
    expect(byClass(svg, 'role-axis-title').map(textOf)).toEqual(['b', 'χ² (others refitted)']);
    expect(byClass(svg, 'role-title-text').map(textOf)).toContain('Profile of b');
  });

  it('computes the profile from a result and a name, and names bad arguments', async () => {
    const { r } = await decayFit(40);
    const spec = await plotProfile(r, 'a', { level: 0.9, width: 300 });
    expect(spec['width']).toBe(300);
    expect((spec['title'] as { subtitle: string }).subtitle).toMatch(/^90% interval \[/);
    await expect(plotProfile(r)).rejects.toBeInstanceOf(NlsqTypeError);
    await expect(plotProfile(r, 'zz')).rejects.toBeInstanceOf(NlsqRangeError);
    await expect(plotProfile({} as never, 'a')).rejects.toMatchObject({ argument: 'result' });
  });
});
