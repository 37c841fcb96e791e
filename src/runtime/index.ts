// The local runtime used by `up` and `run` (lazily imported: it pulls in execa).
export { startOrder, withDependencies } from './order.js';
export { assertPortsFree, portInUse } from './ports.js';
export { serviceEnv, baseUrlVariable } from './env.js';
export { supervise } from './supervisor.js';
export { launch } from './process.js';
export { runForeground } from './foreground.js';
