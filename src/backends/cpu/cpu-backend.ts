/**
 * The plain-TypeScript CPU backend: f64 `Float64Array` kernels, synchronous, no dependencies.
 * It is the reference the other backends are tested against.
 *
 * @module
 */
import type { Backend, BackendInfo, Workspace } from '../backend.ts';
import { NlsqRangeError } from '../../errors.ts';
import { gramAccumulate } from './gram.ts';
import { householderFold, mergeTriangles } from './fold.ts';
import { maxAbsolute, pairwiseDot, pairwiseSumSquares } from './pairwise-sum.ts';

/** Largest typed array a JS engine allocates (V8: 2³²−1 elements on 64-bit; we report bytes). */
const MAX_TYPED_ARRAY_BYTES = 2 ** 32 * 8 - 8;

class ArrayWorkspace implements Workspace {
  readonly cols: number;
  readonly capacity: number;
  private readonly array: Float64Array;
  constructor(capacity: number, cols: number) {
    this.cols = cols;
    this.capacity = capacity;
    this.array = new Float64Array(capacity * cols);
  }
  data(): Float64Array {
    return this.array;
  }
}

/**
 * Create the CPU backend.
 *
 * @param memoryBytes - host memory the backend may use (reported to the selector); defaults to
 *   the largest typed array size, since plain JS cannot see the host's memory portably.
 * @example
 * ```ts
 * const cpu = createCpuBackend();
 * cpu.info.name; // 'cpu'
 * ```
 */
export function createCpuBackend(memoryBytes: number = MAX_TYPED_ARRAY_BYTES): Backend {
  const info: BackendInfo = Object.freeze({
    name: 'cpu',
    family: 'cpu',
    precision: 'f64',
    epsilon: 2 ** -52,
    synchronous: true,
    maxBufferBytes: MAX_TYPED_ARRAY_BYTES,
    memoryBytes,
    speedClass: 1,
    software: false,
    runsClosures: true,
  });
  let scratch = new Float64Array(64);
  const scratchFor = (c: number): Float64Array => {
    if (scratch.length < c * c) scratch = new Float64Array(c * c);
    return scratch;
  };
  return {
    info,
    createWorkspace(capacity, cols) {
      if (!Number.isInteger(capacity) || capacity < 1 || !Number.isInteger(cols) || cols < 1) {
        throw new NlsqRangeError(`cpu.createWorkspace: capacity and cols must be positive integers, got ${capacity} × ${cols}`, Number.isInteger(capacity) && capacity >= 1 ? 'cols' : 'capacity');
      }
      if (capacity * cols * 8 > MAX_TYPED_ARRAY_BYTES) {
        throw new NlsqRangeError(`cpu.createWorkspace: ${capacity} × ${cols} f64 exceeds the largest typed array`, 'capacity');
      }
      return new ArrayWorkspace(capacity, cols);
    },
    releaseWorkspace() {},
    foldRows(T, ws, rows) {
      householderFold(T, ws.data(), 0, rows, ws.cols, scratchFor(ws.cols));
    },
    mergeTriangles(T, S, cols) {
      mergeTriangles(T, S, cols, scratchFor(cols));
    },
    gram(G, ws, rows) {
      gramAccumulate(G, ws.data(), 0, rows, ws.cols, scratchFor(ws.cols));
    },
    sumSquares(a, offset, n, stride = 1) {
      return pairwiseSumSquares(a, offset, n, stride);
    },
    dot(a, b, offset, n) {
      return pairwiseDot(a, b, offset, n);
    },
    maxAbs(a, offset, n) {
      return maxAbsolute(a, offset, n);
    },
  };
}
