#!/usr/bin/env python3
"""SciPy curve_fit in a Python loop over a batch: the peer of `npm run bench -- batch`.

Reads a batch written by bench/peers/scipy.ts's runScipyBatch (raw little-endian float64 / int32):
x (k shared columns, or per point with --per-point), y (all fits, fit after fit), offsets
(int32, nFits + 1) and p0 (nFits x p), fits the first --count fits one after another with
scipy.optimize.curve_fit, and prints one JSON object: seconds, fits/s, how many converged,
how many raised (lm raises RuntimeError at maxfev), and popt of fit 0.

    python3 bench/peers/scipy_batch.py --dir /tmp/batch --model gauss2d5 --k 2 --p 5 \
        --method lm --ftol 1e-4 --xtol 1e-4 --maxfev 66 --count 2000

With --lb and --ub (comma-separated, one value per parameter, shared by every fit) the fits are
bounded and run method trf (curve_fit's default with bounds; max_nfev counts function
evaluations, not the finite-difference Jacobian's).
"""
import argparse
import json
import time
import warnings

import numpy as np
from scipy.optimize import OptimizeWarning, curve_fit


def gauss2d5(xy, a, x0, y0, s, b):
    x, y = xy
    return a * np.exp(-((x - x0) ** 2 + (y - y0) ** 2) / (2 * s * s)) + b


def gauss1d4(x, a, mu, s, b):
    return a * np.exp(-((x - mu) ** 2) / (2 * s * s)) + b


MODELS = {"gauss2d5": gauss2d5, "gauss1d4": gauss1d4}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--model", required=True, choices=sorted(MODELS))
    ap.add_argument("--k", type=int, default=1)
    ap.add_argument("--p", type=int, required=True)
    ap.add_argument("--per-point", action="store_true", help="x is given per point (variable-length batches)")
    ap.add_argument("--method", default="lm", choices=["lm", "trf"])
    ap.add_argument("--ftol", type=float, default=1e-8)
    ap.add_argument("--xtol", type=float, default=1e-8)
    ap.add_argument("--maxfev", type=int, default=0)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--lb", default=None, help="lower bounds, comma-separated (with --ub)")
    ap.add_argument("--ub", default=None, help="upper bounds, comma-separated (with --lb)")
    a = ap.parse_args()
    f = MODELS[a.model]
    xs = np.fromfile(f"{a.dir}/x.f64", dtype="<f8").reshape(a.k, -1)
    y = np.fromfile(f"{a.dir}/y.f64", dtype="<f8")
    off = np.fromfile(f"{a.dir}/offsets.i32", dtype="<i4")
    p0 = np.fromfile(f"{a.dir}/p0.f64", dtype="<f8").reshape(-1, a.p)
    count = min(a.count, len(off) - 1)
    kw = {"ftol": a.ftol, "xtol": a.xtol}
    if a.maxfev > 0:
        kw["maxfev" if a.method == "lm" else "max_nfev"] = a.maxfev
    if a.lb is not None:
        kw["bounds"] = ([float(v) for v in a.lb.split(",")], [float(v) for v in a.ub.split(",")])
    converged = raised = 0
    popt0 = None
    warnings.simplefilter("ignore", OptimizeWarning)
    t0 = time.perf_counter()
    for i in range(count):
        lo, hi = off[i], off[i + 1]
        xi = xs[:, lo:hi] if a.per_point else xs
        xi = xi[0] if a.k == 1 else xi
        try:
            popt, _ = curve_fit(f, xi, y[lo:hi], p0=p0[i], method=a.method, **kw)
            converged += 1
            if i == 0:
                popt0 = popt.tolist()
        except RuntimeError:
            raised += 1
    s = time.perf_counter() - t0
    print(json.dumps({"fits": count, "seconds": s, "fits_per_s": count / s, "converged": converged, "raised": raised, "popt0": popt0}))


if __name__ == "__main__":
    main()
