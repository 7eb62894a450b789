#!/usr/bin/env python3
"""SciPy peer for `npm run bench -- small`: small fits, a cold process, and call counts.

    python3 bench/peers/scipy_small.py small --sizes 100,1000 --repeats 300
        median/min seconds of curve_fit(expdecay, x, y, p0=[1, 1, 0], method='lm') per size,
        after 30 untimed fits (time.perf_counter around curve_fit only); the data are the
        exp-decay of bench/fits.ts without noise (y = 3 exp(-1.2 x) + 0.5 + 0.01 sin(7.3 i)).
    python3 bench/peers/scipy_small.py cold
        seconds from before `import numpy, scipy.optimize` to the end of the first 100-point fit.
    python3 bench/peers/scipy_small.py calls --n 200
        calls of a counting residual function by least_squares for trf, dogbox and lm ('2-point'),
        with nfev/njev as SciPy reports them.

Prints one JSON object.
"""
import json
import statistics
import sys
import time


def data(n):
    import numpy as np
    i = np.arange(n)
    x = 5.0 * i / (n - 1)
    y = 3.0 * np.exp(-1.2 * x) + 0.5 + 0.01 * np.sin(7.3 * i)
    return x, y


def expdecay(x, a, b, c):
    import numpy as np
    return a * np.exp(-b * x) + c


def small(sizes, repeats):
    from scipy.optimize import curve_fit
    out = {}
    for n in sizes:
        x, y = data(n)
        for _ in range(30):
            curve_fit(expdecay, x, y, p0=[1, 1, 0], method="lm")
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            curve_fit(expdecay, x, y, p0=[1, 1, 0], method="lm")
            times.append(time.perf_counter() - t0)
        out[str(n)] = {"median_s": statistics.median(times), "min_s": min(times), "runs": len(times)}
    return out


def cold():
    t0 = time.perf_counter()
    import numpy as np  # noqa: F401
    from scipy.optimize import curve_fit
    x, y = data(100)
    curve_fit(expdecay, x, y, p0=[1, 1, 0], method="lm")
    return {"import_and_first_fit_s": time.perf_counter() - t0}


def calls(n):
    import numpy as np
    from scipy.optimize import least_squares
    x, y = data(n)
    out = {}
    for method in ["trf", "dogbox", "lm"]:
        count = [0]

        def fun(p):
            count[0] += 1
            return p[0] * np.exp(-p[1] * x) + p[2] - y

        r = least_squares(fun, [1.0, 1.0, 0.0], method=method)
        out[method] = {"calls": count[0], "nfev": int(r.nfev), "njev": None if r.njev is None else int(r.njev), "cost": float(r.cost)}
    return out


def main():
    mode = sys.argv[1]
    args = dict(zip(sys.argv[2::2], sys.argv[3::2]))
    if mode == "small":
        res = small([int(s) for s in args.get("--sizes", "100,1000").split(",")], int(args.get("--repeats", "300")))
    elif mode == "cold":
        res = cold()
    elif mode == "calls":
        res = calls(int(args.get("--n", "200")))
    else:
        raise SystemExit(f"unknown mode {mode}")
    import scipy
    res["scipy"] = scipy.__version__
    res["python"] = sys.executable
    print(json.dumps(res))


if __name__ == "__main__":
    main()
