// Provides one PostgreSQL server to the whole suite: SVCDB_TEST_DATABASE_URL when set, else the
// embedded PostgreSQL that svcdb itself ships (so `npm test` passes on a machine with no server).
import type { TestProject } from 'vitest/node';
import os from 'node:os';
import path from 'node:path';

let stop: (() => Promise<void>) | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let url = process.env.SVCDB_TEST_DATABASE_URL;
  if (!url) {
    const { startTestServer } = await import('./embedded-server.js');
    const dataRoot = path.join(os.tmpdir(), `svcdb-test-pg-${process.pid}`);
    const server = await startTestServer(dataRoot);
    url = server.url;
    stop = server.stop;
  }
  project.provide('databaseUrl', url);
  return async () => {
    if (stop) await stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}
