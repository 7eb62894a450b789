/**
 * Backend registry: turns the caller's `backend` option into a Backend instance no other fit holds, and says why.
 *
 * What decides, in order of precedence:
 *
 * 1. the per-call option `backend` — a name (`'cpu'`, `'wasm'`, `'wasm-simd'`, `'wasm-scalar'`,
 *    `'webgpu'`), a {@link Backend} instance, or an ordered list of those to try;
 * 2. the environment variable `NLSQ_BACKEND`, read at call time where the runtime has environment
 *    variables (Node and Bun: `process.env`; Deno: `Deno.env`, only when the `env` permission is
 *    already granted, so it never prompts) — one name, or a comma-separated ordered list such as
 *    `wasm,cpu` — so a whole application or test run can be pinned to one backend without code
 *    changes;
 * 3. automatic choice: the fastest backend that loads here and can run the model — hardware
 *    WebGPU (expression models, asynchronous fits only) > wasm-simd > wasm-scalar > cpu; a wasm
 *    backend only for a model within its compile-size limit (`MAX_WASM_MODEL_INSTRUCTIONS`). A
 *    software (emulated) WebGPU adapter is never chosen automatically (it is refused right after
 *    the adapter request, before a device is created).
 *
 * ```sh
 * NLSQ_BACKEND=wasm-scalar npm test      # every fit that names no backend runs on wasm-scalar
 * NLSQ_BACKEND=wasm,cpu node app.js      # wasm where it loads (and for async fits), else cpu
 * ```
 *
 * A backend that is named (by the option or by `NLSQ_BACKEND`) but unknown or unusable is an
 * error ({@link BackendUnavailableError}) that lists every backend with why it is or is not usable
 * — never a silent fallback. Falling back is only done when the caller asks for it with a list.
 *
 * The registry itself holds no state. Every resolution gets an instance no other fit holds: a
 * new one (the CPU backend; a WebGPU device), or for wasm an idle instance a finished fit handed
 * back through {@link ResolvedBackend.release} (`wasm/wasm-pool.ts`: only when nothing was left
 * allocated in it and its memory is small, so it is as good as new and its memory pages are
 * already touched), else a new one. Compiled modules and pipelines are cached inside the backend
 * modules. Callers who want to reuse one instance across fits create it once and pass it; such
 * instances are never pooled.
 *
 * Synchronous resolution ({@link resolveBackendSync}, used by `curveFitSync`) follows the same
 * automatic order without WebGPU (a device is only created asynchronously): a wasm build once
 * the wasm modules are loaded in this process — `import()` is asynchronous, so an earlier
 * asynchronous call (`curveFit`, `fit`, `createWasmBackend`) loads them — and where this thread
 * may instantiate it synchronously (Node, Deno, Bun, workers; not a browser's main thread, which
 * refuses modules over 4 KB), an idle pooled instance first; else the CPU backend, and the
 * result's reason says why wasm was skipped. A wasm backend created beforehand
 * (`await createWasmBackend()`) is synchronous and may always be passed as an instance. Before
 * the modules are loaded, `NLSQ_BACKEND=wasm` makes synchronous fits fail with a message that
 * says so; `NLSQ_BACKEND=wasm,cpu` lets them use the CPU backend instead.
 *
 * @module
 */
import { BackendUnavailableError, NlsqTypeError, describeValue } from '../errors.ts';
import type { Backend } from './backend.ts';
import { modelTooLarge, type ModelSize } from './model-size-limit.ts';
import {
  BACKEND_NAMES,
  BACKEND_REQUEST_NAMES,
  releaseLoad,
  isBackendRequestName,
  loadBackend,
  loadBackendSync,
} from './list-backends.ts';
import type { BackendLoad, BackendName, BackendRequestName } from './list-backends.ts';

export { listBackends, BACKEND_NAMES, BACKEND_REQUEST_NAMES } from './list-backends.ts';
export type { BackendStatus, BackendName, BackendRequestName } from './list-backends.ts';
export { MAX_WASM_MODEL_INSTRUCTIONS, type ModelSize } from './model-size-limit.ts';

/** The environment variable that pins the backend when the call names none. */
export const BACKEND_ENV_VARIABLE = 'NLSQ_BACKEND';

/** What the caller may pass as `backend`: a name, an instance, or an ordered list to try. */
export type BackendOption = string | Backend | readonly (string | Backend)[] | undefined;

/** What the fit needs from a backend. */
export interface BackendNeeds {
  /** The model is a JS closure (WebGPU cannot run it). */
  readonly closures: boolean;
  /** Called from a synchronous API (`curveFitSync`). */
  readonly synchronous: boolean;
  /**
   * The size of the model's IR program, when a backend may compile it (a model the library
   * built); checked against `MAX_WASM_MODEL_INSTRUCTIONS`. Absent: no limit applies.
   */
  readonly model?: ModelSize;
}

/** Where the backend choice came from. */
export type BackendSource = 'option' | 'environment' | 'automatic';

/** A resolved backend with the reason it was chosen. */
export interface ResolvedBackend {
  /** An instance no other fit holds (new, or an idle pooled wasm instance), or the caller's own instance. */
  readonly backend: Backend;
  /** What the caller gave (`'default'` when nothing; `'NLSQ_BACKEND=…'` for the environment). */
  readonly given: string;
  /** Why this backend was used, in a sentence. */
  readonly reason: string;
  /** Where the choice came from. */
  readonly source?: BackendSource;
  /**
   * Hand the backend back once the fit is done with it (a reusable wasm instance returns to its
   * pool, a WebGPU device the registry created is destroyed); present for every backend the
   * registry loaded, absent for the caller's own instances. Calling it again does nothing.
   */
  readonly release?: () => void;
}

/** Optional context for a resolution. */
export interface ResolveContext {
  /** Function name used in error messages (default `'curveFit'`). */
  readonly caller?: string;
  /**
   * Reads an environment variable; defaults to the runtime's environment (see the module
   * documentation). Pass `() => undefined` to ignore `NLSQ_BACKEND`.
   */
  readonly env?: (name: string) => string | undefined;
}

/** One entry of a request: a name to load or an instance to use. */
type Candidate = { readonly name: BackendRequestName } | { readonly instance: Backend };

/** A normalised request: candidates in order, where they came from, and how to describe them. */
interface Request {
  readonly candidates: readonly Candidate[];
  readonly source: BackendSource;
  readonly given: string;
}

/**
 * Read an environment variable from the runtime, without throwing or prompting.
 *
 * Deno: `Deno.env.get` only when `Deno.permissions.querySync` says the permission is granted
 * (otherwise Deno would throw or prompt). Node and Bun: `process.env`. Browsers: none.
 *
 * @param name - variable name.
 * @returns its value, or undefined where absent or unreadable.
 */
export function readRuntimeEnv(name: string): string | undefined {
  const g = globalThis as {
    Deno?: {
      env?: { get(key: string): string | undefined };
      permissions?: { querySync?(d: { name: 'env'; variable: string }): { state: string } };
    };
    process?: { env?: Record<string, string | undefined> };
  };
  try {
    if (g.Deno !== undefined) {
      const state = g.Deno.permissions?.querySync?.({ name: 'env', variable: name }).state;
      return state === 'granted' ? g.Deno.env?.get(name) : undefined;
    }
    const value = g.process?.env?.[name];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function isBackendInstance(value: unknown): value is Backend {
  if (typeof value !== 'object' || value === null) return false;
  const b = value as Partial<Backend>;
  return typeof b.info === 'object' && b.info !== null && typeof b.foldRows === 'function';
}

function quoteList(names: readonly string[]): string {
  return names.map((n) => `'${n}'`).join(', ');
}

function nameCandidate(name: string, caller: string, where: string): Candidate {
  if (isBackendRequestName(name)) return { name };
  throw new BackendUnavailableError(
    `${caller}: ${where} must name a backend (${quoteList(BACKEND_REQUEST_NAMES)}), got ${JSON.stringify(name)}`,
  );
}

function describeCandidate(c: Candidate): string {
  return 'name' in c ? c.name : `${c.instance.info.name} (instance)`;
}

/** Turn the option / environment into an ordered candidate list; throws on malformed input. */
function normaliseRequest(option: BackendOption, caller: string, env: (name: string) => string | undefined): Request {
  if (option === undefined) {
    const raw = env(BACKEND_ENV_VARIABLE)?.trim();
    if (raw === undefined || raw === '') return { candidates: [], source: 'automatic', given: 'default' };
    const names = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const candidates = names.map((n) => nameCandidate(n, caller, `${BACKEND_ENV_VARIABLE}=${raw}`));
    return { candidates, source: 'environment', given: `${BACKEND_ENV_VARIABLE}=${raw}` };
  }
  if (typeof option === 'string') {
    return { candidates: [nameCandidate(option, caller, 'backend')], source: 'option', given: option };
  }
  if (isBackendInstance(option)) return { candidates: [{ instance: option }], source: 'option', given: option.info.name };
  if (Array.isArray(option)) {
    if (option.length === 0) {
      throw new NlsqTypeError(`${caller}: backend must be a non-empty list when it is a list, got an empty array`, 'backend');
    }
    const candidates = option.map((entry: unknown, i: number): Candidate => {
      if (typeof entry === 'string') return nameCandidate(entry, caller, `backend[${i}]`);
      if (isBackendInstance(entry)) return { instance: entry };
      throw new NlsqTypeError(
        `${caller}: backend[${i}] must be a backend name or a Backend instance, got ${describeValue(entry)}`,
        'backend',
      );
    });
    return { candidates, source: 'option', given: `[${candidates.map(describeCandidate).join(', ')}]` };
  }
  throw new NlsqTypeError(
    `${caller}: backend must be a backend name (${quoteList(BACKEND_REQUEST_NAMES)}), a Backend instance or a list ` +
      `of those, got ${describeValue(option)}`,
    'backend',
  );
}

/** Why an instance cannot serve these needs, or null when it can. */
function unmetNeed(backend: Backend, needs: BackendNeeds): string | null {
  const tooLarge = modelTooLarge(backend, needs.model);
  if (tooLarge !== null) return tooLarge;
  if (needs.closures && !backend.info.runsClosures) {
    return `${backend.info.name} cannot run JS closure models; use an expression model (model('...')) or another backend`;
  }
  if (needs.synchronous && !backend.info.synchronous) {
    return `${backend.info.name} is asynchronous and cannot serve a synchronous fit; use the asynchronous API`;
  }
  return null;
}

/** The concrete names a requested name may load, in order ('wasm' → simd, then scalar). */
function expand(name: BackendRequestName): readonly BackendName[] {
  return name === 'wasm' ? ['wasm-simd', 'wasm-scalar'] : [name];
}

/** Automatic order for these needs. */
function automaticOrder(needs: BackendNeeds): readonly BackendName[] {
  const order: BackendName[] = [];
  if (!needs.closures && !needs.synchronous) order.push('webgpu');
  order.push('wasm-simd', 'wasm-scalar', 'cpu');
  return order;
}

/**
 * Accept a freshly loaded backend for these needs (automatically, never a software adapter);
 * a refused one is released. Never called on a caller's own instance.
 */
function accept(load: BackendLoad, needs: BackendNeeds, automatic: boolean): BackendLoad {
  if (!load.ok) return load;
  const unmet = unmetNeed(load.backend, needs);
  const software = automatic && load.backend.info.software ? 'a software (emulated) adapter is never chosen automatically' : null;
  const refusal = unmet ?? software;
  if (refusal === null) return load;
  releaseLoad(load);
  return { ok: false, reason: refusal };
}

/** Collected reasons, per tried name, for the final error or the chosen backend's reason. */
type Skipped = Map<string, string>;

function skippedText(skipped: Skipped): string {
  return [...skipped].map(([n, r]) => `${n}: ${r}`).join('; ');
}

function successReason(request: Request, chosen: string, why: string, skipped: Skipped): string {
  const after = skipped.size > 0 ? ` (skipped ${skippedText(skipped)})` : '';
  if (request.source === 'automatic') return `automatic choice: ${chosen}, the fastest backend usable here for this model — ${why}${after}`;
  const by = request.source === 'environment' ? `${request.given}` : `the backend option`;
  if (request.candidates.length === 1) return `${chosen} named by ${by} — ${why}${after}`;
  return `${chosen}, the first usable of ${request.given} given by ${by} — ${why}${after}`;
}

/** Build the error for a named request that nothing in could serve. */
function unavailableError(caller: string, request: Request, skipped: Skipped, others: Skipped): BackendUnavailableError {
  const by = request.source === 'environment' ? request.given : `backend ${request.given}`;
  const everything = new Map([...skipped, ...others]);
  const available = [...others].filter(([, r]) => r === '').map(([n]) => n);
  const lines = [...everything].filter(([, r]) => r !== '').map(([n, r]) => `  ${n}: ${r}`);
  return new BackendUnavailableError(
    `${caller}: ${by} is not usable here; available: ${available.length > 0 ? quoteList(available) : 'none'}\n` +
      lines.join('\n'),
  );
}

/** What choosing returns: the resolution, or the reasons each candidate was refused. */
type Choice = { readonly resolved: ResolvedBackend } | { readonly skipped: Skipped };

/**
 * Walk the candidates in order; the generator yields each concrete name it wants loaded and
 * receives the load, so one walk serves the synchronous and the asynchronous resolver (the same
 * shape as the solver protocol). Caller instances are checked, never loaded or disposed.
 */
function* choose(request: Request, needs: BackendNeeds, candidates: readonly Candidate[]): Generator<BackendName, Choice, BackendLoad> {
  const automatic = request.source === 'automatic';
  const skipped: Skipped = new Map();
  for (const c of candidates) {
    if ('instance' in c) {
      const unmet = unmetNeed(c.instance, needs);
      const load: BackendLoad = { ok: true, backend: c.instance, reason: 'backend instance given by the caller' };
      if (unmet === null) return { resolved: chosen(request, load, c.instance.info.name, skipped) };
      skipped.set(describeCandidate(c), unmet);
      continue;
    }
    for (const name of expand(c.name)) {
      if (skipped.has(name)) continue;
      const load = accept(yield name, needs, automatic);
      if (load.ok) return { resolved: chosen(request, load, name, skipped) };
      skipped.set(name, load.reason);
    }
  }
  return { skipped };
}

function chosen(request: Request, load: BackendLoad & { ok: true }, name: string, skipped: Skipped): ResolvedBackend {
  return {
    backend: load.backend,
    given: request.given,
    reason: successReason(request, name, load.reason, skipped),
    source: request.source,
    ...(load.release === undefined ? {} : { release: load.release }),
  };
}

/**
 * Resolve synchronously: the CPU backend, a wasm build once its modules are loaded in this process
 * and this thread may instantiate it synchronously (see the module comment), or an instance the
 * caller created beforehand whose `info.synchronous` is true.
 *
 * @param option - the caller's `backend` option (undefined: `NLSQ_BACKEND`, then automatic).
 * @param needs - what the fit needs (closure model; synchronous call).
 * @param context - caller name for messages; environment reader (tests).
 * @returns a backend no other fit holds (or the caller's instance) with given/reason.
 * @throws {@link BackendUnavailableError} when a named backend is unknown or cannot serve a
 *   synchronous fit; `NlsqTypeError` when `option` has the wrong type.
 */
export function resolveBackendSync(option: BackendOption, needs: BackendNeeds, context: ResolveContext = {}): ResolvedBackend {
  const caller = context.caller ?? 'curveFitSync';
  const request = normaliseRequest(option, caller, context.env ?? readRuntimeEnv);
  const syncNeeds: BackendNeeds = { ...needs, synchronous: true };
  const candidates: readonly Candidate[] = request.source === 'automatic' ? automaticOrder(syncNeeds).map((name) => ({ name })) : request.candidates;
  const walk = choose(request, syncNeeds, candidates);
  let step = walk.next();
  while (!step.done) step = walk.next(loadBackendSync(step.value));
  if ('resolved' in step.value) return step.value.resolved;
  const { skipped } = step.value;
  const others: Skipped = new Map();
  for (const name of BACKEND_NAMES) {
    if (skipped.has(name)) continue;
    const load = accept(loadBackendSync(name), syncNeeds, false);
    others.set(name, load.ok ? '' : load.reason);
    if (load.ok) releaseLoad(load); // probed for the message only, as in resolveBackend
  }
  throw unavailableError(caller, request, skipped, others);
}

/**
 * Resolve a backend option, loading heavy backends lazily (`await import`), with the precedence
 * explicit option > `NLSQ_BACKEND` > automatic described in the module documentation.
 *
 * @param option - the caller's `backend` option (undefined: `NLSQ_BACKEND`, then automatic).
 * @param needs - what the fit needs (closure model; synchronous call).
 * @param context - caller name for messages; environment reader (tests).
 * @returns a backend no other fit holds (or the caller's instance) with given/reason.
 * @throws {@link BackendUnavailableError} when a named backend is unknown, fails to load here, or
 *   cannot run the model; the message lists every backend with why it is or is not usable.
 *   `NlsqTypeError` when `option` has the wrong type.
 * @example
 * ```ts
 * const { backend, reason } = await resolveBackend('wasm', { closures: true, synchronous: false });
 * backend.info.name; // 'wasm-simd' where SIMD is supported
 * ```
 */
export async function resolveBackend(
  option: BackendOption,
  needs: BackendNeeds,
  context: ResolveContext = {},
): Promise<ResolvedBackend> {
  const caller = context.caller ?? 'curveFit';
  const request = normaliseRequest(option, caller, context.env ?? readRuntimeEnv);
  const automatic = request.source === 'automatic';
  const candidates: readonly Candidate[] = automatic ? automaticOrder(needs).map((name) => ({ name })) : request.candidates;
  const walk = choose(request, needs, candidates);
  let step = walk.next();
  while (!step.done) step = walk.next(await loadBackend(step.value, { allowSoftware: !automatic }));
  if ('resolved' in step.value) return step.value.resolved;
  const { skipped } = step.value;
  const others: Skipped = new Map();
  for (const name of BACKEND_NAMES) {
    if (skipped.has(name)) continue;
    const load = accept(await loadBackend(name), needs, false);
    others.set(name, load.ok ? '' : load.reason);
    if (load.ok) releaseLoad(load);
  }
  throw unavailableError(caller, request, skipped, others);
}
