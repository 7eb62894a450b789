/** Registers the suite's custom matchers (`toBeAllclose`, see `test/support/matchers.ts`) for every test file. */
import { registerMatchers } from './support/matchers.ts';

registerMatchers();
