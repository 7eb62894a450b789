import { describe, expect, it } from 'vitest';
import { describeAdapter, isSoftwareAdapter } from '../../../src/backends/webgpu/adapter-info.ts';

describe('isSoftwareAdapter', () => {
  it('recognizes fallback adapters and software rasterizers by name', () => {
    expect(isSoftwareAdapter({ isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter({ device: 'llvmpipe-llvm-15-0-6-256-bits-' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader' })).toBe(true);
    expect(isSoftwareAdapter({ description: 'llvmpipe (LLVM 15.0.6, 256 bits) lavapipe' })).toBe(true);
    expect(isSoftwareAdapter({ description: 'Microsoft Basic Render Driver' })).toBe(true);
  });

  it('treats named hardware adapters and missing info as hardware', () => {
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'ampere', device: '', description: 'NVIDIA GeForce RTX 3080' })).toBe(false);
    expect(isSoftwareAdapter({ vendor: 'apple', architecture: 'common-3', isFallbackAdapter: false })).toBe(false);
    expect(isSoftwareAdapter(undefined)).toBe(false);
  });
});

describe('describeAdapter', () => {
  it('joins the names and the description', () => {
    expect(describeAdapter({ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader device' })).toBe(
      'google swiftshader (SwiftShader device)',
    );
    expect(describeAdapter(null)).toBe('unknown adapter');
  });
});
