// Starts svcdb's embedded PostgreSQL for the test suite when no server is configured.
export async function startTestServer(_dataRoot: string): Promise<{ url: string; stop: () => Promise<void> }> {
  throw new Error('SVCDB_TEST_DATABASE_URL is not set and the embedded test server is not available yet');
}
