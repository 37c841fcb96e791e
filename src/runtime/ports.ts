// Before anything starts: every configured port must be free, or `up` names the service (exit 2).
import net from 'node:net';
import { UserError } from '../core/errors.js';

/** Taken on 127.0.0.1 (where services listen) or on the wildcard address (where they may). */
export async function portInUse(port: number): Promise<boolean> {
  return (await taken(port, '127.0.0.1')) || (await taken(port, undefined));
}

function taken(port: number, host: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(true));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

export async function assertPortsFree(services: Array<{ name: string; port?: number }>): Promise<void> {
  const problems: string[] = [];
  const seen = new Map<number, string>();
  for (const s of services) {
    if (!s.port) continue;
    const twin = seen.get(s.port);
    if (twin) problems.push(`${s.name} and ${twin} both use port ${s.port}`);
    else if (await portInUse(s.port)) problems.push(`${s.name}: port ${s.port} is already in use`);
    seen.set(s.port, s.name);
  }
  if (!problems.length) return;
  throw new UserError(problems.join('; '), {
    where:
      problems.length === 1
        ? `services.${services.find((s) => problems[0].startsWith(s.name))?.name}.run.port`
        : undefined,
    hint: 'stop whatever holds the port (a previous `svcdb up`?), or change run.port in the config',
  });
}
