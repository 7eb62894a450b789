/**
 * Fake BackendInfo objects for the workflow tests (no backend code is loaded).
 */
import { fc } from '@fast-check/vitest';
import type { BackendInfo } from '../../src/backends/backend.ts';

const GiB = 1024 ** 3;

/** The CPU backend's info as createCpuBackend() reports it. */
export const cpuInfo: BackendInfo = Object.freeze({
  name: 'cpu',
  family: 'cpu',
  precision: 'f64',
  epsilon: 2 ** -52,
  synchronous: true,
  maxBufferBytes: 2 ** 32 * 8 - 8,
  memoryBytes: 2 ** 32 * 8 - 8,
  speedClass: 1,
  software: false,
  runsClosures: true,
});

/** A wasm32 SIMD backend: 4 GiB address space. */
export const wasmInfo: BackendInfo = Object.freeze({
  ...cpuInfo,
  name: 'wasm-simd',
  family: 'wasm',
  maxBufferBytes: 4 * GiB,
  memoryBytes: 4 * GiB,
  speedClass: 2,
});

/** A hardware WebGPU backend: f32, asynchronous, expression models only, 256 MiB per binding. */
export const gpuInfo: BackendInfo = Object.freeze({
  name: 'webgpu',
  family: 'webgpu',
  precision: 'f32',
  epsilon: 2 ** -23,
  synchronous: false,
  maxBufferBytes: 256 * 1024 ** 2,
  memoryBytes: 8 * GiB,
  speedClass: 4,
  software: false,
  runsClosures: false,
});

/** A software WebGPU adapter (e.g. SwiftShader): fast-looking but never chosen automatically. */
export const softwareGpuInfo: BackendInfo = Object.freeze({ ...gpuInfo, name: 'webgpu-software', software: true, speedClass: 5, runsClosures: true });

/** Arbitrary backend capabilities (names may repeat; ceilings from 4 KiB to 256 GiB). */
export const backendArb: fc.Arbitrary<BackendInfo> = fc.record({
  name: fc.constantFrom('a', 'b', 'c', 'd'),
  family: fc.constantFrom('cpu', 'wasm', 'webgpu') as fc.Arbitrary<BackendInfo['family']>,
  precision: fc.constantFrom('f64', 'f32') as fc.Arbitrary<BackendInfo['precision']>,
  epsilon: fc.constant(2 ** -52),
  synchronous: fc.boolean(),
  maxBufferBytes: fc.integer({ min: 2 ** 12, max: 2 ** 36 }),
  memoryBytes: fc.integer({ min: 2 ** 14, max: 2 ** 38 }),
  speedClass: fc.constantFrom(1, 1.5, 2, 4, 8),
  software: fc.boolean(),
  runsClosures: fc.boolean(),
});

/** Up to four arbitrary backends plus the CPU backend, which holds any realistic chunk, so a choice exists. */
export const backendsArb: fc.Arbitrary<BackendInfo[]> = fc.array(backendArb, { maxLength: 4 }).map((list) => [...list, cpuInfo]);
