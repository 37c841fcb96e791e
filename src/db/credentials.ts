// `.svcdb/credentials.json` (mode 0600): the login role and generated password `provision` made
// for each service, keyed by profile then service. Targets built with these carry the service's
// own role instead of the admin URL's user.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { ensureStateDir, stateDirOf, writePrivateFile } from './state-dir.js';

export interface ServiceCredential {
  role: string;
  password: string;
}

/** service name → its role and password */
export type ProfileCredentials = Record<string, ServiceCredential>;

interface CredentialsFile {
  version: 1;
  profiles: Record<string, ProfileCredentials>;
}

export function credentialsPath(projectRoot: string): string {
  return path.join(stateDirOf(projectRoot), 'credentials.json');
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
export async function saveCredentials(projectRoot: string, profile: string, credentials: ProfileCredentials): Promise<string> {
  await ensureStateDir(projectRoot);
  const file = await readFile(projectRoot);
  file.profiles[profile] = { ...(file.profiles[profile] ?? {}), ...credentials };
  const target = credentialsPath(projectRoot);
  await writePrivateFile(target, `${JSON.stringify(file, null, 2)}\n`);
  return target;
}

export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
