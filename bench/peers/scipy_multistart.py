#!/usr/bin/env python3
"""SciPy peer of `npm run bench -- global`: scipy.optimize.curve_fit in a loop over given starts.

Reads one JSON object on stdin: {"model", "x", "y", "starts": [[...], ...], "lb", "ub",
"method", "repeats", "warmup"}; fits the named model from every start (a start whose fit
raises is counted as failed), keeps the lowest cost, and prints one JSON object: median/min
seconds of the whole loop (time.perf_counter), total nfev, the best cost 0.5*sum(r^2), its popt
and the number of failed starts. This is what a SciPy user writes by hand for multi-start.
"""
import json
import statistics
import sys
import time

import numpy as np
from scipy.optimize import curve_fit


def damped_sine(x, a, k, w, phi):
    return a * np.exp(-k * x) * np.sin(w * x + phi)


def two_gaussians(x, a1, m1, s1, a2, m2, s2):
    return a1 * np.exp(-0.5 * ((x - m1) / s1) ** 2) + a2 * np.exp(-0.5 * ((x - m2) / s2) ** 2)


def decay(x, a, k):
    return a * np.exp(-k * x)


MODELS = {"damped_sine": damped_sine, "two_gaussians": two_gaussians, "decay": decay}


def search(f, x, y, starts, bounds, method):
    best, nfev, failed = None, 0, 0
    for p0 in starts:
        try:
            popt, _pcov, info, _msg, _ier = curve_fit(f, x, y, p0=p0, bounds=bounds, method=method, full_output=True)
        except (RuntimeError, ValueError):
            failed += 1
            continue
        nfev += int(info["nfev"])
        cost = 0.5 * float(np.sum((f(x, *popt) - y) ** 2))
        if best is None or cost < best[0]:
            best = (cost, popt)
    return best, nfev, failed


def main():
    spec = json.load(sys.stdin)
    f = MODELS[spec["model"]]
    x = np.asarray(spec["x"], dtype=float)
    y = np.asarray(spec["y"], dtype=float)
    lb = [-np.inf if v is None else v for v in spec["lb"]]
    ub = [np.inf if v is None else v for v in spec["ub"]]
    bounds = (lb, ub)
    for _ in range(spec.get("warmup", 0)):
        search(f, x, y, spec["starts"], bounds, spec["method"])
    times = []
    for _ in range(spec.get("repeats", 3)):
        t0 = time.perf_counter()
        best, nfev, failed = search(f, x, y, spec["starts"], bounds, spec["method"])
        times.append(time.perf_counter() - t0)
    print(json.dumps({
        "median_s": statistics.median(times), "min_s": min(times), "runs": len(times), "nfev": nfev,
        "cost": best[0] if best else None, "popt": [float(v) for v in best[1]] if best else [], "failed": failed,
    }))


if __name__ == "__main__":
    main()
