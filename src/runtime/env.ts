// The environment a service is started with: its own database URL, its port, the others' base URLs.

export interface ServiceEndpoint {
  name: string;
  port?: number;
}

/** `ingestion` → `INGESTION_URL`; `read-model` → `READ_MODEL_URL`. */
export function baseUrlVariable(service: string): string {
  return `${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

export function serviceEnv(opts: {
  self: ServiceEndpoint;
  envVar: string;
  databaseUrl: string;
  others: ServiceEndpoint[];
  extra?: Record<string, string>;
}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const other of opts.others) {
    if (other.name !== opts.self.name && other.port)
      env[baseUrlVariable(other.name)] = `http://127.0.0.1:${other.port}`;
  }
  if (opts.self.port) env.PORT = String(opts.self.port);
  Object.assign(env, opts.extra ?? {});
  env[opts.envVar] = opts.databaseUrl;
  return env;
}
