// Starts svcdb's embedded PostgreSQL for the test suite when no server is configured
// (SVCDB_TEST_DATABASE_URL unset), so `npm test` passes on a machine with no PostgreSQL.
import fs from 'node:fs/promises';
import { destroyEmbedded, ensureEmbedded } from '../../src/db/embedded.js';

export async function startTestServer(dataRoot: string): Promise<{ url: string; stop: () => Promise<void> }> {
  // 0755: when the suite runs as root, the server runs as `nobody` and must reach the folder.
  await fs.mkdir(dataRoot, { recursive: true, mode: 0o755 });
  const url = await ensureEmbedded(dataRoot, { log: (line) => process.stderr.write(`[test server] ${line}\n`) });
  return {
    url,
    async stop() {
      await destroyEmbedded(dataRoot);
      await fs.rm(dataRoot, { recursive: true, force: true });
    },
  };
}
