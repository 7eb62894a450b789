/**
 * The compute-pipeline cache of one WebGPU device: one pipeline per (shader text, entry point,
 * override constants, pipeline layout), compiled once, with concurrent requests for the same key
 * sharing one in-flight compile. Compile errors (`getCompilationInfo()`) become a
 * {@link ShaderCompileError} whose message lists each diagnostic as `line:column` with the source
 * line and a caret.
 *
 * The cache belongs to a backend instance (never module state), so two devices or two fits never
 * share pipelines by accident.
 *
 * @module
 */
import { ShaderCompileError } from '../../errors.ts';

/** A diagnostic as `GPUCompilationMessage` reports it (the fields this module reads). */
export interface CompileMessage {
  /** `'error'`, `'warning'` or `'info'`. */
  readonly type: string;
  /** The compiler's text. */
  readonly message: string;
  /** 1-based line (0 when unknown). */
  readonly lineNum: number;
  /** 1-based column in UTF-16 units (0 when unknown). */
  readonly linePos: number;
}

/** A compute pipeline request. */
export interface ComputePipelineRequest {
  /** Label for the shader module and the pipeline (shown in device errors). */
  readonly label: string;
  /** WGSL text. */
  readonly code: string;
  /** The pipeline layout (explicit), or `'auto'`. */
  readonly layout: GPUPipelineLayout | 'auto';
  /** Entry point (default `'main'`). */
  readonly entryPoint?: string;
  /** Pipeline-overridable constants. */
  readonly constants?: Readonly<Record<string, number>>;
}

/**
 * Format compiler diagnostics with line and column, the offending source line and a caret.
 *
 * @param label - the module's label.
 * @param code - the WGSL source.
 * @param messages - the diagnostics (errors first is not required).
 * @returns a multi-line message starting `webgpu: shader "<label>" failed to compile`.
 */
export function formatCompileMessages(label: string, code: string, messages: readonly CompileMessage[]): string {
  const lines = code.split('\n');
  const parts = messages.map((m) => {
    const src = m.lineNum >= 1 && m.lineNum <= lines.length ? lines[m.lineNum - 1]! : '';
    const caret = m.linePos >= 1 ? ' '.repeat(m.linePos - 1) + '^' : '';
    return `  ${m.lineNum}:${m.linePos} ${m.type}: ${m.message}\n    ${src}\n    ${caret}`;
  });
  return `webgpu: shader "${label}" failed to compile:\n${parts.join('\n')}`;
}

/** A per-device cache of compute pipelines keyed by shader text + constants + layout. */
export class PipelineCache {
  private readonly device: GPUDevice;
  private readonly entries = new Map<string, Promise<GPUComputePipeline>>();
  private readonly layoutIds = new WeakMap<GPUPipelineLayout, number>();
  private nextLayoutId = 1;
  /** Number of shader compilations started (for tests and diagnostics). */
  compiles = 0;

  /** @param device - the device the pipelines are created on. */
  constructor(device: GPUDevice) {
    this.device = device;
  }

  /** Number of cached (or in-flight) pipelines. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The cache key of a request: entry point, sorted constants, layout identity and shader text.
   *
   * @param req - the request.
   */
  keyOf(req: ComputePipelineRequest): string {
    const constants = req.constants === undefined ? '' : JSON.stringify(Object.entries(req.constants).sort(([a], [b]) => (a < b ? -1 : 1)));
    let layout = 'auto';
    if (req.layout !== 'auto') {
      let id = this.layoutIds.get(req.layout);
      if (id === undefined) {
        id = this.nextLayoutId++;
        this.layoutIds.set(req.layout, id);
      }
      layout = `layout#${id}`;
    }
    return `${req.entryPoint ?? 'main'}\u0000${constants}\u0000${layout}\u0000${req.code}`;
  }

  /**
   * Get (compiling on first use) the pipeline for a request. Concurrent calls with the same key
   * share one compile; a failed compile is removed from the cache so a later call retries.
   *
   * @param req - the request.
   * @returns the pipeline.
   * @throws ShaderCompileError with line:column diagnostics when the WGSL does not compile or
   *   the pipeline cannot be created.
   */
  get(req: ComputePipelineRequest): Promise<GPUComputePipeline> {
    const key = this.keyOf(req);
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const pending = this.compile(req);
    this.entries.set(key, pending);
    pending.catch(() => {
      if (this.entries.get(key) === pending) this.entries.delete(key);
    });
    return pending;
  }

  private async compile(req: ComputePipelineRequest): Promise<GPUComputePipeline> {
    this.compiles++;
    const module = this.device.createShaderModule({ label: req.label, code: req.code });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0) throw new ShaderCompileError(formatCompileMessages(req.label, req.code, errors));
    const descriptor: GPUComputePipelineDescriptor = {
      label: req.label,
      layout: req.layout,
      compute: { module, entryPoint: req.entryPoint ?? 'main', ...(req.constants ? { constants: { ...req.constants } } : {}) },
    };
    try {
      return await this.device.createComputePipelineAsync(descriptor);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      throw new ShaderCompileError(`webgpu: pipeline "${req.label}" could not be created: ${detail}`, { cause: err });
    }
  }
}
