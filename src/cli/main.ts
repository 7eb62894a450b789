#!/usr/bin/env node
/// <reference types="node" />
/**
 * The `nlsq` executable (package.json `bin`): runs {@link runCli} on the process arguments and
 * exits with its code (0 fitted, 1 not converged, 2 bad usage or input, 130 interrupted).
 *
 * @module
 */
import { runCli } from './program.ts';

void runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then((code) => {
  process.exitCode = code;
  // Backends may hold worker or device handles; leave once the output is flushed.
  process.stdout.write('', () => process.exit(code));
});
