/**
 * Error classes of nlsq.
 *
 * Every error thrown by the library is an {@link NlsqError}. Messages follow one shape:
 * `function: argument must be <expected>, got <actual>` — e.g.
 * `curveFit: sigma must have length 200 (one per ydata value), got 199`.
 *
 * @module
 */

/** Machine-readable error codes carried by {@link NlsqError.code}. */
export type NlsqErrorCode =
  | 'ERR_TYPE'
  | 'ERR_RANGE'
  | 'ERR_SHAPE'
  | 'ERR_NON_FINITE'
  | 'ERR_INFEASIBLE'
  | 'ERR_PARSE'
  | 'ERR_MODEL'
  | 'ERR_BACKEND_UNAVAILABLE'
  | 'ERR_SHADER_COMPILE'
  | 'ERR_ABORTED'
  | 'ERR_DATA_SOURCE'
  | 'ERR_NOT_SUPPORTED'
  | 'ERR_WORKER';

/** Base class of every error nlsq throws. */
export class NlsqError extends Error {
  /** Machine-readable code. */
  readonly code: NlsqErrorCode;
  /** The argument at fault, when there is one (e.g. `'sigma'`). */
  readonly argument: string | undefined;

  /**
   * @param message - full message, starting with the function name.
   * @param code - machine-readable code.
   * @param argument - the argument at fault, if any.
   * @param options - standard `ErrorOptions` (e.g. `cause`).
   */
  constructor(message: string, code: NlsqErrorCode, argument?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.argument = argument;
  }
}

/** An argument has the wrong type (e.g. a string where an array was expected). */
export class NlsqTypeError extends NlsqError {
  /** @param message - full message. @param argument - the argument at fault. */
  constructor(message: string, argument?: string, options?: ErrorOptions) {
    super(message, 'ERR_TYPE', argument, options);
  }
}

/** An argument is outside its allowed range or set, has the wrong length, or holds non-finite values. */
export class NlsqRangeError extends NlsqError {
  /** @param message - full message. @param argument - the argument at fault. @param code - a more specific code. */
  constructor(
    message: string,
    argument?: string,
    code: 'ERR_RANGE' | 'ERR_SHAPE' | 'ERR_NON_FINITE' | 'ERR_INFEASIBLE' = 'ERR_RANGE',
    options?: ErrorOptions,
  ) {
    super(message, code, argument, options);
  }
}

/** A model expression could not be parsed; the message shows the expression with a caret. */
export class ModelParseError extends NlsqError {
  /** Zero-based character position of the problem in the expression. */
  readonly position: number;
  /** @param message - full message. @param position - character offset. */
  constructor(message: string, position: number) {
    super(message, 'ERR_PARSE', 'expression');
    this.position = position;
  }
}

/** A model failed while being evaluated (it threw, or returned a non-finite value at p0). */
export class ModelEvaluationError extends NlsqError {
  /** @param message - full message. @param options - `cause` holds the model's own error. */
  constructor(message: string, argument?: string, options?: ErrorOptions) {
    super(message, 'ERR_MODEL', argument, options);
  }
}

/** A backend that was named cannot be used in this runtime. */
export class BackendUnavailableError extends NlsqError {
  /** @param message - full message listing the available backends. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_BACKEND_UNAVAILABLE', 'backend', options);
  }
}

/** A generated WGSL shader failed to compile; the message carries line and column. */
export class ShaderCompileError extends NlsqError {
  /** @param message - full message with the compiler's diagnostics. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_SHADER_COMPILE', undefined, options);
  }
}

/** The fit was cancelled through its `AbortSignal`. */
export class AbortError extends NlsqError {
  /** @param message - full message. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_ABORTED', 'signal', options);
  }
}

/**
 * Report a cancelled fit: when `signal` has aborted, throw the one {@link AbortError} every
 * cancellation point uses (the solver drivers before each request, the data-source passes
 * between chunks, the synchronous API before it starts) — `caller: the fit was aborted by its
 * AbortSignal`, with the signal's reason as `cause`. One event, one message.
 *
 * @param signal - the caller's signal, if any.
 * @param caller - public function name for the message (e.g. `'curveFit'`).
 * @throws AbortError when `signal.aborted`.
 */
export function throwIfAborted(signal: AbortSignal | undefined, caller: string): void {
  if (signal?.aborted === true) throw new AbortError(`${caller}: the fit was aborted by its AbortSignal`, { cause: signal.reason });
}

/** A streaming data source misbehaved (mismatched chunk lengths, no chunks, threw mid-pass). */
export class DataSourceError extends NlsqError {
  /** @param message - full message naming the chunk. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_DATA_SOURCE', 'source', options);
  }
}

/** Describe a value briefly for an error message: type, length, or the value itself. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 37) + '...' : value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  if (typeof value === 'function') return 'a function';
  return typeof value;
}
