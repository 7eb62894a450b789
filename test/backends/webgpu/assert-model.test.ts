import { describe, expect, it } from 'vitest';
import { assertWebGPUModel } from '../../../src/backends/webgpu/assert-model.ts';
import { NlsqTypeError } from '../../../src/errors.ts';

describe('assertWebGPUModel', () => {
  it('rejects a JS function with a message that says to use an expression model', () => {
    const f = (x: number, a: number) => a * x;
    expect(() => assertWebGPUModel(f)).toThrow(NlsqTypeError);
    expect(() => assertWebGPUModel(f)).toThrow(
      "curveFit: the WebGPU backend runs expression models only; f must be an expression model such as model('a*exp(-b*x)+c'), got a function. Use backend 'cpu' or 'wasm' for JS functions.",
    );
  });

  it('rejects a fittable model without an expression, naming the caller', () => {
    const kernelOnly = { params: ['a'], variables: ['x'], createKernel: () => ({}) };
    expect(() => assertWebGPUModel(kernelOnly, 'fit')).toThrow(/^fit: the WebGPU backend runs expression models only/);
  });

  it('accepts an expression model (parsed AST with params and variables)', () => {
    const m = { ast: { kind: 'num', value: 1 }, params: ['a'], variables: ['x'] };
    expect(() => assertWebGPUModel(m)).not.toThrow();
  });
});
