// The local runtime used by `up` (lazily imported; `run` imports foreground.ts on its own).
export { startOrder } from './order.js';
export { assertPortsFree } from './ports.js';
export { serviceEnv } from './env.js';
export { supervise } from './supervisor.js';
