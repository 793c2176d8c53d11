// Worker thread entry for copy-worker.ts: registers the TypeScript loader in this thread first.
import { register } from 'tsx/esm/api';

register();
await import('./copy-worker.ts');
