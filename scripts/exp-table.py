"""Print the 2^(i/128) table of src/backends/wasm/wasm-simd-exp.ts (EXP_TABLE_HEX): for i = 0 … 127,
the bits of tail_i = (2^(i/128) − s_i)/s_i and of s_i − i·2^45, where s_i = 2^(i/128) rounded to a
double (exact values from Decimal at 80 digits) — the layout and values of ARM optimized-routines'
__exp_data.tab (musl, glibc).

Run: python3 scripts/exp-table.py
"""
import struct
from decimal import Decimal, getcontext
from fractions import Fraction

getcontext().prec = 80
LN2 = Decimal(2).ln()


def bits(d):
    return struct.unpack('<Q', struct.pack('<d', d))[0]


vals = []
for i in range(128):
    exact = Fraction((LN2 * i / 128).exp())
    s = float(exact)  # correctly rounded
    tail = float((exact - Fraction(s)) / Fraction(s))
    vals += [bits(tail), (bits(s) - (i << 45)) % 2**64]
for j in range(0, 256, 4):
    print('  ' + ', '.join(f"'{v:016x}'" for v in vals[j:j + 4]) + ',')
