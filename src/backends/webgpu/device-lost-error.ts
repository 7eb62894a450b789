/**
 * The error raised when the WebGPU device of a backend is lost (driver reset, `destroy()`, GPU
 * process crash): every pending and later evaluation rejects with it.
 *
 * @module
 */
import { NlsqError } from '../../errors.ts';

/**
 * The WebGPU device was lost; evaluations on it cannot complete. Recreate the backend (or fall
 * back to the CPU / WASM backends) to continue.
 */
export class DeviceLostError extends NlsqError {
  /** The `GPUDeviceLostInfo.reason` (`'destroyed'` or `'unknown'`). */
  readonly reason: string;

  /**
   * @param caller - the function that observed the loss.
   * @param reason - the lost-info reason.
   * @param detail - the lost-info message.
   */
  constructor(caller: string, reason: string, detail: string, options?: ErrorOptions) {
    super(`${caller}: the WebGPU device was lost (reason: ${reason}${detail ? `; ${detail}` : ''}); create a new backend to continue`, 'ERR_BACKEND_UNAVAILABLE', 'backend', options);
    this.reason = reason;
  }
}
