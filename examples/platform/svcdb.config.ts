// svcdb configuration of the reference platform: which services exist, how to run them, who
// owns what, and the profiles (see README.md for why `dev` uses the `schema` strategy).
// The same keys work in svcdb.config.{mjs,json,yaml}; defineConfig only adds types.
import { defineConfig } from 'svcdb';

const health = '/health';

export default defineConfig({
  discover: ['internal/*/migrations'],
  services: {
    eventhandler: {
      run: { command: 'node dist/eventhandler/main.js', port: 8082, health, after: [] },
    },
    tsdb: {
      run: { command: 'node dist/tsdb/main.js', port: 8084, health, after: [] },
    },
    actions: {
      run: { command: 'node dist/actions/main.js', port: 8083, health, after: [] },
    },
    // query owns no table: it uses eventhandler's database and reads `projections` only
    // through the shared module.
    query: {
      path: 'internal/query',
      databaseOf: 'eventhandler',
      reads: [{ service: 'eventhandler', tables: ['projections'], via: ['internal/shared/projections'] }],
      run: { command: 'node dist/query/main.js', port: 8081, health, after: ['eventhandler'] },
    },
    // started last: its relay delivers to the three consumers above.
    ingestion: {
      run: {
        command: 'node dist/ingestion/main.js',
        port: 8080,
        health,
        after: ['eventhandler', 'tsdb', 'actions'],
      },
    },
  },
  shared: {
    'internal/shared/projections': 'eventhandler',
  },
  profiles: {
    // No url: svcdb uses DATABASE_URL when set, else starts its embedded PostgreSQL in .svcdb/.
    // `schema`, not `shared`: eventhandler, tsdb and actions each have a table named `dlq`.
    dev: { strategy: 'schema' },
    // One database per service on the server DATABASE_URL points at (as in production).
    local: { strategy: 'database' },
  },
});
