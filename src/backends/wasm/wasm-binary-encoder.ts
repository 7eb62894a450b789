/**
 * A minimal WebAssembly binary encoder for the model code generators
 * (`codegen-wasm.ts`, `codegen-wasm-simd.ts`): LEB128 integers, IEEE doubles, names,
 * vectors and sections, plus the value-type bytes and core opcodes they emit.
 *
 * @module
 */

import { NlsqTypeError } from '../../errors.ts';

/** The i32 value type byte. @internal */
export const I32 = 0x7f;
/** The f64 value type byte. @internal */
export const F64 = 0x7c;
/** Core (non-SIMD) opcodes the generators use. @internal */
export const OP = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, brIf: 0x0d, call: 0x10, select: 0x1b,
  localGet: 0x20, localSet: 0x21, f64Load: 0x2b, f64Store: 0x39, i32Const: 0x41, f64Const: 0x44,
  i32Load: 0x28, i32Eqz: 0x45, f64Lt: 0x63, f64Gt: 0x64, f64Ge: 0x66,
  f64Abs: 0x99, f64Neg: 0x9a, f64Sqrt: 0x9f, f64Add: 0xa0, f64Sub: 0xa1, f64Mul: 0xa2, f64Div: 0xa3,
  f64Min: 0xa4, f64Max: 0xa5, i32Add: 0x6a, i32LtU: 0x49, i32GtU: 0x4b, localTee: 0x22,
} as const;
/** A growable byte buffer with the LEB128 / IEEE encoders of the wasm binary format. @internal */
export class Bytes {
  readonly b: number[] = [];
  byte(...v: number[]): this {
    for (const x of v) this.b.push(x & 0xff);
    return this;
  }
  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new NlsqTypeError(`wasm codegen: u32 out of range: ${String(v)}`, 'program');
    do {
      let byte = v & 0x7f;
      v = Math.floor(v / 128);
      if (v !== 0) byte |= 0x80;
      this.b.push(byte);
    } while (v !== 0);
    return this;
  }
  /** Signed LEB128 of an i32 (two's complement of the 32-bit value). */
  i32(v: number): this {
    v |= 0;
    for (;;) {
      const byte = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
        this.b.push(byte);
        return this;
      }
      this.b.push(byte | 0x80);
    }
  }
  f64(v: number): this {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, v, true);
    for (let i = 0; i < 8; i++) this.b.push(dv.getUint8(i));
    return this;
  }
  name(s: string): this {
    this.u32(s.length);
    for (let i = 0; i < s.length; i++) this.b.push(s.charCodeAt(i) & 0x7f);
    return this;
  }
  append(o: Bytes): this {
    for (const x of o.b) this.b.push(x);
    return this;
  }
  vec(items: Bytes[]): this {
    this.u32(items.length);
    for (const it of items) this.append(it);
    return this;
  }
}

/** A module section: id, byte length, body. @internal */
export function section(id: number, body: Bytes): Bytes {
  return new Bytes().byte(id).u32(body.b.length).append(body);
}
