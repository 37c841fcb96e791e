// `.svcdb/credentials.json` (mode 0600): the login role and generated password `provision` made
// for each service, keyed by profile then service. Targets built with these carry the service's
// own role instead of the admin URL's user.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { UserError } from '../core/errors.js';
import type { Target } from '../core/types.js';
import { endpointOf } from '../core/url.js';
import { credentialsPath, ensureStateDir, writePrivateFile } from './state-dir.js';

export interface ServiceCredential {
  role: string;
  password: string;
  /** where the role was provisioned (`host:port` as in the URL, and the database): credentials
   * apply only to a target on that server and database, never to another one the profile
   * happens to point at later (DATABASE_URL changed, embedded vs real server) */
  server: string;
  database: string;
}

/** service name → its role and password */
export type ProfileCredentials = Record<string, ServiceCredential>;

interface CredentialsFile {
  version: 1;
  profiles: Record<string, ProfileCredentials>;
}

async function readFile(projectRoot: string): Promise<CredentialsFile> {
  const file = credentialsPath(projectRoot);
  const text = await fs.readFile(file, 'utf8').catch(() => null);
  if (text === null) return { version: 1, profiles: {} };
  try {
    const parsed = JSON.parse(text) as CredentialsFile;
    if (parsed && typeof parsed.profiles === 'object' && parsed.profiles !== null) return parsed;
  } catch {
    // fall through
  }
  throw new UserError('the credentials file is not valid JSON', {
    where: file,
    hint: 'restore it, or delete it and run `svcdb provision` again (it sets new passwords)',
  });
}

/** The provisioned roles of a profile; `{}` before `svcdb provision` ran for it. */
export async function loadCredentials(projectRoot: string, profile: string): Promise<ProfileCredentials> {
  const file = await readFile(projectRoot);
  return file.profiles[profile] ?? {};
}

/** Merges `credentials` into the profile's entry and writes the file (0600). */
export async function saveCredentials(
  projectRoot: string,
  profile: string,
  credentials: ProfileCredentials,
): Promise<string> {
  await ensureStateDir(projectRoot);
  const file = await readFile(projectRoot);
  file.profiles[profile] = { ...(file.profiles[profile] ?? {}), ...credentials };
  const target = credentialsPath(projectRoot);
  await writePrivateFile(target, `${JSON.stringify(file, null, 2)}\n`);
  return target;
}

/**
 * The profile's credentials that belong to the given targets (resolved without credentials),
 * in the shape resolveTargets takes. A credential provisioned on another server or database
 * is left out, so the service falls back to the profile's own URL instead of failing to log in.
 */
export async function credentialsFor(
  projectRoot: string,
  profile: string,
  bareTargets: Target[],
): Promise<{ credentials: Record<string, { user: string; password: string }>; file: string | undefined }> {
  const saved = await loadCredentials(projectRoot, profile);
  const credentials: Record<string, { user: string; password: string }> = {};
  for (const target of bareTargets) {
    const c = saved[target.service];
    if (c && c.database === target.database && c.server === endpointOf(target.url).serverKey)
      credentials[target.service] = { user: c.role, password: c.password };
  }
  return { credentials, file: Object.keys(credentials).length ? credentialsPath(projectRoot) : undefined };
}

export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802/7677, as psql's
 * \password and libpq's PQencryptPasswordConn compute it), so the password itself never
 * reaches the server, nor its log. Generated passwords are ASCII: SASLprep leaves them as is.
 */
export function scramVerifier(password: string, iterations = 4096, salt = randomBytes(16)): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
