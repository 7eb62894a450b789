import { describe, expect, it } from 'vitest';
import { WASM_MODEL_CACHE_SIZE, compileWasmModel } from '../../../src/backends/wasm/wasm-model-module.ts';
import { model } from '../../../src/model/model.ts';

describe('compileWasmModel', () => {
  it('compiles each distinct module once: the same Module for equal programs, another for a different program or form', () => {
    const a = compileWasmModel(model('a*exp(-b*x) + c').program, true);
    expect(compileWasmModel(model('a*exp(-b*x) + c').program, true).module).toBe(a.module);
    expect(compileWasmModel(model('a*exp(-b*x) + c').program, false).module).not.toBe(a.module);
    expect(compileWasmModel(model('a*exp(-b*x) + c*x').program, true).module).not.toBe(a.module);
    expect(a.imports.size).toBe(0);
    expect(compileWasmModel(model('a*sin(b*x)').program, false).imports.get('sin')).toBe('mathSin');
  });

  it(`keeps the ${WASM_MODEL_CACHE_SIZE} most recently used modules`, () => {
    const first = compileWasmModel(model('a*x + 1').program, false).module;
    for (let i = 2; i <= WASM_MODEL_CACHE_SIZE; i++) compileWasmModel(model(`a*x + ${i}`).program, false);
    expect(compileWasmModel(model('a*x + 1').program, false).module).toBe(first); // still cached; now most recent
    const kept = model('a*x + 2').program;
    const second = compileWasmModel(kept, false);
    for (let i = 1; i <= WASM_MODEL_CACHE_SIZE; i++) compileWasmModel(model(`a*x*x + ${i}`).program, false); // new bytes (names do not reach the code)
    expect(compileWasmModel(model('a*x + 2').program, false).module).not.toBe(second.module); // evicted, recompiled
    expect(compileWasmModel(kept, false)).toBe(second); // the same program object keeps its module
  });
});
