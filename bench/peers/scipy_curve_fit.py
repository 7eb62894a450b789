#!/usr/bin/env python3
"""SciPy curve_fit peer for `npm run bench`.

Reads x and y (little-endian float64, raw) from files, fits a named model with
scipy.optimize.curve_fit, and prints one JSON object: median/min fit seconds over
--repeats runs (time.perf_counter around curve_fit only) after --warmup untimed fits,
nfev and popt.

    python3 bench/peers/scipy_curve_fit.py --x x.f64 --y y.f64 --model expdecay \
        --p0 1,1,0 --method lm --repeats 3 --warmup 1
"""
import argparse
import json
import statistics
import time

import numpy as np
from scipy.optimize import curve_fit


def expdecay(x, a, b, c):
    return a * np.exp(-b * x) + c


def gauss_bg(x, a, mu, s, b0, b1):
    return a * np.exp(-((x - mu) ** 2) / (2 * s * s)) + b0 + b1 * x


MODELS = {"expdecay": expdecay, "gauss_bg": gauss_bg}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--x", required=True)
    ap.add_argument("--y", required=True)
    ap.add_argument("--model", required=True, choices=sorted(MODELS))
    ap.add_argument("--p0", required=True)
    ap.add_argument("--method", default="lm", choices=["lm", "trf", "dogbox"])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=0)
    args = ap.parse_args()
    x = np.fromfile(args.x, dtype="<f8")
    y = np.fromfile(args.y, dtype="<f8")
    p0 = [float(v) for v in args.p0.split(",")]
    f = MODELS[args.model]
    for _ in range(args.warmup):
        curve_fit(f, x, y, p0=p0, method=args.method)
    times, popt, nfev = [], None, None
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        popt, _pcov, info, _msg, _ier = curve_fit(f, x, y, p0=p0, method=args.method, full_output=True)
        times.append(time.perf_counter() - t0)
        nfev = int(info["nfev"])
    print(json.dumps({
        "method": args.method,
        "median_s": statistics.median(times),
        "min_s": min(times),
        "runs": len(times),
        "nfev": nfev,
        "popt": [float(v) for v in popt],
        "n": int(x.size),
    }))


if __name__ == "__main__":
    main()
