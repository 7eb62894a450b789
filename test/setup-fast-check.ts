/**
 * fast-check configuration for the whole suite: in CI (`CI=true`) properties run from a fixed seed
 * so that a run is reproducible and a landing never depends on luck; locally each run draws a new
 * seed (printed by fast-check on failure) unless `FC_SEED` pins one.
 */
import fc from 'fast-check';

const pinned = process.env['FC_SEED'] ?? (process.env['CI'] ? '20261129' : undefined);
if (pinned !== undefined) fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(pinned) });
