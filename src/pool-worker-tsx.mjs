// Development entry of the pool worker under Node (vitest, tsx): a worker thread does not inherit
// `--import tsx`, so this registers tsx's loader in the thread and then loads the TypeScript entry.
// The built package runs dist/pool-worker.js instead (see worker-script.ts).
import { register } from 'tsx/esm/api';

register();
await import('./pool-worker.ts');
