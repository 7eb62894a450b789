/**
 * Bundled sample data sets: generated in the page (deterministic, seeded noise) or copied from a
 * public reference (NIST StRD Misra1a, certified values in its file).
 */

/** Park–Miller minimal standard generator, for noise that is the same on every load. */
function lcg(seed) {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
}

/** Standard normal draws by Box–Muller from a seeded uniform source. */
function gaussianNoise(seed) {
  const u = lcg(seed);
  return () => Math.sqrt(-2 * Math.log(u() || 1e-300)) * Math.cos(2 * Math.PI * u());
}

function table(header, rows) {
  return [header.join(','), ...rows.map((r) => r.map((v) => +v.toPrecision(8)).join(','))].join('\n');
}

function decay() {
  const z = gaussianNoise(7);
  const rows = [];
  for (let i = 0; i < 60; i++) {
    const x = i * 0.1;
    rows.push([x, 3.2 * Math.exp(-1.3 * x) + 0.4 + 0.04 * z(), 0.04]);
  }
  return table(['t', 'signal', 'sigma'], rows);
}

function peak() {
  const z = gaussianNoise(11);
  const rows = [];
  for (let i = 0; i < 81; i++) {
    const x = -4 + i * 0.1;
    rows.push([x, 5 * Math.exp(-((x - 0.3) ** 2) / (2 * 0.6 ** 2)) + 0.1 * z()]);
  }
  return table(['x', 'y'], rows);
}

// NIST StRD Misra1a (lower difficulty): y then x, as in the NIST file; certified b1 = 238.94212918,
// b2 = 5.5015643181e-4 for y = b1*(1 - exp(-b2*x)).
const MISRA1A = [
  [10.07, 77.6], [14.73, 114.9], [17.94, 141.1], [23.93, 190.8], [29.61, 239.9], [35.18, 289.0], [40.02, 332.8],
  [44.82, 378.4], [50.76, 434.8], [55.05, 477.3], [61.01, 536.8], [66.4, 593.1], [75.47, 689.1], [81.78, 760.0],
];

/** The samples: label, table text, and the suggested columns and model. */
export const SAMPLES = {
  decay: { label: 'Noisy exponential decay (60 points, σ column)', text: decay, x: 't', y: 'signal', sigma: 'sigma', model: { library: 'exponentialDecay' } },
  peak: { label: 'Gaussian peak (81 points)', text: peak, x: 'x', y: 'y', model: { library: 'gaussian' } },
  misra1a: {
    label: 'NIST StRD Misra1a (14 points)',
    text: () => ['y x', ...MISRA1A.map(([y, x]) => `${y} ${x}`)].join('\n'),
    x: 'x',
    y: 'y',
    model: { expression: 'b1*(1 - exp(-b2*x))', p0: [500, 1e-4] },
  },
};
