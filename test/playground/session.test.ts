/**
 * The playground's session link (playground/session.js): any state survives the round trip through
 * the URL fragment (Unicode included), the fragment is URL-safe, and a damaged link is reported.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
// @ts-expect-error -- plain JS module of the playground, no declaration file
import { decodeSession, encodeSession } from '../../playground/session.js';

describe('session link', () => {
  it('round-trips any state, with a URL-safe fragment', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string(), fc.boolean(), fc.dictionary(fc.string(), fc.string()), (data, expression, p0Auto, p0) => {
        const state = { data, x: 'x', y: 'σ y', sigma: '', model: '__expression__', expression, p0Auto, p0, backend: 'auto' };
        const hash = encodeSession(state) as string;
        expect(hash).toMatch(/^#s=[A-Za-z0-9_-]*$/);
        expect(decodeSession(hash)).toEqual({ v: 1, ...state });
      }),
    );
  });

  it('is null without a session, and names a damaged or foreign one', () => {
    expect(decodeSession('')).toBeNull();
    expect(decodeSession('#top')).toBeNull();
    expect(() => decodeSession('#s=%%%')).toThrow("the link's session cannot be read");
    expect(() => decodeSession(`#s=${btoa(JSON.stringify({ v: 2 }))}`)).toThrow('another version');
  });
});
