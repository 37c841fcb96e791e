import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { UserError } from '../../src/core/errors.js';
import { redact } from '../../src/core/redact.js';
import {
  endpointOf,
  formatPgUrl,
  normalizePgUrl,
  parsePgUrl,
  searchPathOf,
  withCredentials,
  withDatabase,
  withSearchPath,
} from '../../src/core/url.js';

describe('parsePgUrl', () => {
  it('reads postgres:// and postgresql:// with user, password, host, port, database and params', () => {
    expect(parsePgUrl('postgresql://app:secret@db.internal:6543/platform?sslmode=require&application_name=x')).toEqual({
      scheme: 'postgresql',
      user: 'app',
      password: 'secret',
      hosts: 'db.internal:6543',
      database: 'platform',
      params: [
        ['sslmode', 'require'],
        ['application_name', 'x'],
      ],
    });
    expect(parsePgUrl('postgres://localhost/db')).toMatchObject({
      user: null,
      password: null,
      hosts: 'localhost',
      database: 'db',
    });
  });

  it('accepts raw passwords holding @ : / % # ?', () => {
    const u = parsePgUrl('postgres://app:p@ss:w/rd%#x?y@db:5432/platform');
    expect(u).toMatchObject({ user: 'app', password: 'p@ss:w/rd%#x?y', hosts: 'db:5432', database: 'platform' });
  });

  it('decodes percent-encoded passwords', () => {
    expect(parsePgUrl('postgres://app:p%40ss%3Aw%2Frd%25%23@db/platform').password).toBe('p@ss:w/rd%#');
  });

  it('reads IPv6 hosts and host lists', () => {
    expect(parsePgUrl('postgres://u:p@[::1]:5432/db')).toMatchObject({ hosts: '[::1]:5432', database: 'db' });
    expect(parsePgUrl('postgres://u@h1:5432,h2:5433/db').hosts).toBe('h1:5432,h2:5433');
  });

  it('reads unix sockets given as ?host=/path with an empty host', () => {
    const u = parsePgUrl('postgres:///platform?host=/var/run/postgresql');
    expect(u).toMatchObject({ hosts: '', database: 'platform', params: [['host', '/var/run/postgresql']] });
    expect(formatPgUrl(u)).toBe('postgres:///platform?host=/var/run/postgresql');
    expect(endpointOf('postgres:///platform?host=/var/run/postgresql').label).toBe('/var/run/postgresql:5432/platform');
  });

  it('rejects a malformed URL naming the profile and service', () => {
    const attempt = () => parsePgUrl('mysql://u@h/db', { profile: 'staging', service: 'ingestion' });
    expect(attempt).toThrow(UserError);
    expect(attempt).toThrow(/service "ingestion", profile "staging"/);
    expect(() => parsePgUrl('postgres://h:99999/db')).toThrow(/invalid port/);
    expect(() => parsePgUrl('postgres://h:/db')).toThrow(/invalid port/);
    expect(() => parsePgUrl('localhost:5432/db')).toThrow(/must start with postgres:\/\//);
  });
});

describe('URL editing', () => {
  const base = 'postgres://app:p@ss@db:5432/platform?sslmode=disable';

  it('withDatabase replaces only the database and encodes the password', () => {
    expect(withDatabase(base, 'ingestion')).toBe('postgres://app:p%40ss@db:5432/ingestion?sslmode=disable');
  });

  it('withSearchPath sets options=-c search_path, keeping other params and -c settings', () => {
    const url = withSearchPath(base, 'ingestion');
    expect(url).toBe('postgres://app:p%40ss@db:5432/platform?sslmode=disable&options=-c%20search_path%3Dingestion');
    expect(searchPathOf(url)).toBe('ingestion');
    const withOptions = withSearchPath(
      'postgres://h/db?options=-c%20statement_timeout%3D5s%20-c%20search_path%3Dold',
      'svc',
    );
    expect(parsePgUrl(withOptions).params).toEqual([['options', '-c statement_timeout=5s -c search_path=svc']]);
  });

  it('withCredentials swaps user and password', () => {
    expect(withCredentials(base, 'svc_ingestion', 'n3w/p@ss')).toBe(
      'postgres://svc_ingestion:n3w%2Fp%40ss@db:5432/platform?sslmode=disable',
    );
  });

  it('endpointOf and redact never show the password', () => {
    expect(endpointOf(base).label).toBe('db:5432/platform');
    expect(redact("postgres://app:it's@secret@db/platform?password=x")).toBe(
      'postgres://app:***@db/platform?password=***',
    );
  });

  it('formatting then parsing gives the same user, password and database for any strings', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.string(), (password, user, database) => {
        const url = formatPgUrl({
          scheme: 'postgres',
          user,
          password,
          hosts: 'h:1',
          database,
          params: [['options', `-c x=${password}`]],
        });
        const back = parsePgUrl(url);
        expect(back).toMatchObject({ user, password, database, hosts: 'h:1' });
        expect(back.params).toEqual([['options', `-c x=${password}`]]);
        expect(normalizePgUrl(url)).toBe(url);
      }),
    );
  });
});

describe('endpointOf: one answer to "where does this URL point"', () => {
  it('gives two spellings of one local server and database the same key', () => {
    const spellings = [
      'postgres://a@localhost/platform',
      'postgres://b:pw@127.0.0.1:5432/platform',
      'postgresql://c@[::1]:5432/platform',
      'postgres://LOCALHOST:5432/platform',
      'postgres:///platform?host=/var/run/postgresql',
    ];
    const keys = new Set(spellings.map((u) => endpointOf(u).key));
    expect([...keys]).toEqual(['localhost:5432/platform|']);
  });

  it('tells apart other ports, databases, hosts and schemas', () => {
    const urls = [
      'postgres://localhost/platform',
      'postgres://localhost:5433/platform',
      'postgres://localhost/other',
      'postgres://db.internal/platform',
      'postgres://localhost/platform?options=-c%20search_path%3Dsvc',
    ];
    expect(new Set(urls.map((u) => endpointOf(u).key)).size).toBe(urls.length);
  });

  it('labels a target with host:port/database and the schema, never the user or password', () => {
    const e = endpointOf('postgres://app:s3cret@[::1]/platform?options=-c%20search_path%3Dingestion');
    expect(e.label).toBe('[::1]:5432/platform (schema ingestion)');
    expect(JSON.stringify(e)).not.toContain('s3cret');
    expect(endpointOf('postgres://app@db/platform').serverKey).toBe(endpointOf('postgres://x@DB:5432/other').serverKey);
  });
});

describe('malformed URLs never echo a secret', () => {
  it.each([
    ['no scheme', 'u:Sup3rS3cretPw@db.example/app'],
    ['a bad %-escape in the password', 'postgres://u:Sup3rS3cretPw%C3%28@db.example/app'],
    ['a bad %-escape in a parameter', 'postgres://u@db.example/app?password=Sup3rS3cretPw%C3%28'],
    ['another scheme', 'mysql://u:Sup3rS3cretPw@db/app'],
  ])('%s', (_what, url) => {
    let message = '';
    try {
      parsePgUrl(url);
    } catch (err) {
      message = `${(err as UserError).message} ${(err as UserError).hint ?? ''}`;
    }
    expect(message).toMatch(/malformed database URL/);
    expect(message).not.toMatch(/Sup3r|S3cret|cretPw/);
  });
});
