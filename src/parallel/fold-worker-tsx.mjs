// Development entry of the fold worker under Node (vitest, tsx): a worker thread does not inherit
// `--import tsx`, so this registers tsx's loader in the thread and then loads the TypeScript entry.
// The built package runs dist/parallel/fold-worker.js instead (see worker-script.ts).
import { register } from 'tsx/esm/api';

register();
await import('./fold-worker.ts');
