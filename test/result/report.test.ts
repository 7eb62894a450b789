import { describe, expect, it } from 'vitest';
import { renderReport } from '../../src/result/report.ts';

const choice = (used: string) => ({ given: 'default', used, reason: `because ${used}` });
const input = {
  caller: 'curveFit', success: true, status: 'xtol', message: 'xtol satisfied: ‖dx‖ = 3.1e-10 ≤ 4.0e-9', nfev: 12, njev: 10, nit: 9,
  cost: 0.0123, optimality: 1e-9, names: ['amplitude', 'k'], values: [2.5, 0.25], errors: [0.01, 0.002], activeMask: [0, -1],
  statistics: ['R² = 0.99'],
  choices: { backend: choice('cpu'), strategy: choice('standard'), method: choice('trf'), blockSize: choice('100'), precision: choice('f64'), jacobian: choice('2-point'), loss: choice('linear') },
  warnings: [{ code: 'covariance-not-estimated', message: 'curveFit: covariance of the parameters could not be estimated' }],
};

describe('renderReport', () => {
  it('brief: status line, run line, which backend ran and why, parameters ± errors with bound flags, statistics, warning count', () => {
    const text = renderReport(input, false);
    const lines = text.split('\n');
    expect(lines[0]).toBe('curveFit: success (xtol) — xtol satisfied: ‖dx‖ = 3.1e-10 ≤ 4.0e-9');
    expect(lines[1]).toContain('method trf · backend cpu · strategy standard · nfev 12');
    expect(lines[2]).toBe('  backend cpu: because cpu');
    expect(lines[3]).toBe('  amplitude = 2.5 ± 0.01');
    expect(lines[4]).toBe('  k         = 0.25 ± 0.002  (at lower bound)');
    expect(text).toContain('1 warning(s)');
  });

  it('full: every decision as given / used / reason, and the warnings', () => {
    const text = renderReport(input, true);
    for (const label of ['backend', 'strategy', 'method', 'blockSize', 'precision', 'jacobian', 'loss']) expect(text).toMatch(new RegExp(`\\n  ${label}\\s+default\\s+\\S+\\s+because`));
    expect(text).toContain('[covariance-not-estimated]');
  });
});
