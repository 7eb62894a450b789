import { describe, expect, it } from 'vitest';
import { checkTermination } from '../../src/optim/termination.ts';

describe('checkTermination (SciPy check_termination)', () => {
  it('needs ratio > ¼ for ftol, and reports both when both hold', () => {
    expect(checkTermination(1e-12, 1, 1, 1, 0.2, 1e-8, 1e-8).status).toBeNull();
    expect(checkTermination(1e-12, 1, 1, 1, 0.5, 1e-8, 1e-8).status).toBe('ftol');
    expect(checkTermination(1, 1, 1e-12, 1, 0.5, 1e-8, 1e-8).status).toBe('xtol');
    expect(checkTermination(1e-12, 1, 1e-12, 1, 0.5, 1e-8, 1e-8).status).toBe('ftol-xtol');
  });

  it('uses strict inequalities like SciPy', () => {
    expect(checkTermination(1e-8, 1, 1, 1, 1, 1e-8, 1e-8).status).toBeNull();
    expect(checkTermination(1, 1, 1e-8 * (1e-8 + 1), 1, 1, 1e-8, 1e-8).status).toBeNull();
  });

  it('writes the numbers into the message', () => {
    expect(checkTermination(1, 1, 3.1e-10, 2, 1, 1e-8, 2e-9).message).toBe(
      '`xtol` termination condition is satisfied: ‖dx‖ = 3.1e-10 < xtol·(xtol + ‖x‖) = 4.0e-9',
    );
  });
});
