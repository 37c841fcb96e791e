// Configuration comes from the environment only: the code is the same in every environment.

/** The service's own database URL, `<SERVICE>_DATABASE_URL`: the only database a service knows. */
export function databaseUrlFor(service: string): string {
  const name = `${service.toUpperCase()}_DATABASE_URL`;
  const url = process.env[name];
  if (!url) {
    throw new Error(`${name} is not set (run the service through \`svcdb up\` or \`svcdb run ${service} -- ...\`)`);
  }
  return url;
}

/** Base URL of another service (`<OTHER>_URL`, set by `svcdb up`), or null when it is not running. */
export function serviceUrl(other: string): string | null {
  const url = process.env[`${other.toUpperCase()}_URL`];
  return url ? url.replace(/\/+$/, '') : null;
}

export function listenPort(fallback: number): number {
  const raw = process.env.PORT;
  if (!raw) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${raw}"`);
  return port;
}
