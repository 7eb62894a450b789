import { describe, expect, it } from 'vitest';
import { PipelineCache, formatCompileMessages, type CompileMessage } from '../../../src/backends/webgpu/pipeline-cache.ts';
import { ShaderCompileError } from '../../../src/errors.ts';

/** A stand-in device that records what the cache asks of it. */
function fakeDevice(messagesFor: (code: string) => CompileMessage[] = () => []) {
  const calls = { modules: [] as string[], pipelines: [] as GPUComputePipelineDescriptor[] };
  const device = {
    createShaderModule(d: GPUShaderModuleDescriptor) {
      calls.modules.push(d.label ?? '');
      return { getCompilationInfo: async () => ({ messages: messagesFor(d.code) }) };
    },
    async createComputePipelineAsync(d: GPUComputePipelineDescriptor) {
      calls.pipelines.push(d);
      return { label: d.label } as GPUComputePipeline;
    },
  } as unknown as GPUDevice;
  return { device, calls };
}

describe('PipelineCache', () => {
  it('compiles a shader once for concurrent requests with the same text and constants', async () => {
    const { device, calls } = fakeDevice();
    const cache = new PipelineCache(device);
    const req = { label: 'k', code: 'fn main() {}', layout: 'auto' as const };
    const [a, b] = await Promise.all([cache.get(req), cache.get(req)]);
    expect(a).toBe(b);
    expect(calls.modules).toEqual(['k']);
    expect(cache.compiles).toBe(1);
    expect(await cache.get(req)).toBe(a);
    expect(cache.size).toBe(1);
  });

  it('keys by shader text, override constants (in any order) and layout', async () => {
    const { device } = fakeDevice();
    const cache = new PipelineCache(device);
    const base = { label: 'k', code: 'A', layout: 'auto' as const };
    expect(cache.keyOf({ ...base, constants: { a: 1, b: 2 } })).toBe(cache.keyOf({ ...base, constants: { b: 2, a: 1 } }));
    expect(cache.keyOf({ ...base, constants: { a: 1 } })).not.toBe(cache.keyOf({ ...base, constants: { a: 2 } }));
    expect(cache.keyOf(base)).not.toBe(cache.keyOf({ ...base, code: 'B' }));
    const l1 = {} as GPUPipelineLayout;
    const l2 = {} as GPUPipelineLayout;
    expect(cache.keyOf({ ...base, layout: l1 })).toBe(cache.keyOf({ ...base, layout: l1 }));
    expect(cache.keyOf({ ...base, layout: l1 })).not.toBe(cache.keyOf({ ...base, layout: l2 }));
  });

  it('labels the module and the pipeline and passes the constants through', async () => {
    const { device, calls } = fakeDevice();
    await new PipelineCache(device).get({ label: 'nlsq-x', code: 'c', layout: 'auto', constants: { WG: 64 } });
    expect(calls.pipelines[0]!.label).toBe('nlsq-x');
    expect(calls.pipelines[0]!.compute.constants).toEqual({ WG: 64 });
  });

  it('reports compile errors with line and column as ShaderCompileError and retries a failed key later', async () => {
    let broken = true;
    const { device, calls } = fakeDevice(() =>
      broken ? [{ type: 'error', message: "expected ';'", lineNum: 2, linePos: 9 }, { type: 'warning', message: 'unused', lineNum: 1, linePos: 1 }] : [],
    );
    const cache = new PipelineCache(device);
    const req = { label: 'bad', code: 'fn f() {}\nlet a = 1\n', layout: 'auto' as const };
    const err = await cache.get(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShaderCompileError);
    expect((err as Error).message).toBe(
      'webgpu: shader "bad" failed to compile:\n  2:9 error: expected \';\'\n    let a = 1\n            ^',
    );
    expect(cache.size).toBe(0);
    broken = false;
    await expect(cache.get(req)).resolves.toBeDefined();
    expect(calls.modules).toHaveLength(2);
  });
});

describe('formatCompileMessages', () => {
  it('shows every diagnostic with its source line and a caret under the column', () => {
    const text = formatCompileMessages('m', 'abc\ndef', [{ type: 'error', message: 'x', lineNum: 2, linePos: 3 }]);
    expect(text).toBe('webgpu: shader "m" failed to compile:\n  2:3 error: x\n    def\n      ^');
  });
});
