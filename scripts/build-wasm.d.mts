/** Types of scripts/build-wasm.mjs (used by test/backends/wasm/wasm-bytes.test.ts). */
export declare const GENERATED_PATH: string;
export declare function compileVariant(simd: boolean): Promise<Uint8Array>;
export declare function renderModule(simdBytes: Uint8Array, scalarBytes: Uint8Array): string;
export declare function buildModuleText(): Promise<string>;
