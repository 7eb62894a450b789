import { describe, expect, it } from 'vitest';
import { assertDeviceModel } from '../../src/backends/assert-device-model.ts';
import { NlsqTypeError } from '../../src/errors.ts';

describe('assertDeviceModel', () => {
  it('rejects a JS function with a message that says to use an expression model', () => {
    const f = (x: number, a: number) => a * x;
    expect(() => assertDeviceModel(f)).toThrow(NlsqTypeError);
    expect(() => assertDeviceModel(f)).toThrow(
      "curveFit: the webgpu backend runs expression models only; f must be an expression model such as model('a*exp(-b*x)+c'), got a function. Use backend 'cpu' or 'wasm' for JS functions.",
    );
  });

  it('rejects a fittable model without an expression, naming the caller and the backend', () => {
    const kernelOnly = { params: ['a'], variables: ['x'], createKernel: () => ({}) };
    expect(() => assertDeviceModel(kernelOnly, 'fit', 'my-gpu')).toThrow(/^fit: the my-gpu backend runs expression models only/);
    const err = (() => {
      try {
        assertDeviceModel(null, 'fit');
      } catch (e) {
        return e as NlsqTypeError;
      }
      return null;
    })();
    expect(err?.argument).toBe('f');
  });

  it('accepts an expression model (parsed AST with params and variables)', () => {
    const m = { ast: { kind: 'num', value: 1 }, params: ['a'], variables: ['x'] };
    expect(() => assertDeviceModel(m)).not.toThrow();
  });
});
