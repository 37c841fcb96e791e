import { describe, expect, it } from 'vitest';
import { redact } from '../../src/core/redact.js';

describe('redact', () => {
  it.each([
    ['postgres://app:s3cret@db:5432/x', 'postgres://app:***@db:5432/x'],
    ["postgres://u:it's@h/db", 'postgres://u:***@h/db'],
    ['postgresql://u:p@ss:w/rd#x@[::1]:5432/db?sslmode=require', 'postgresql://u:***@[::1]:5432/db?sslmode=require'],
    ['could not reach "postgres://u:q"uote@h/db" (timeout)', 'could not reach "postgres://u:***@h/db" (timeout)'],
    ['host=h password=hunter2 user=u', 'host=h password=*** user=u'],
    ["password='with space' user=u", 'password=*** user=u'],
    ['postgres://nopass@h/db and postgres://h/db', 'postgres://nopass@h/db and postgres://h/db'],
  ])('hides the password in %s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('redacts every URL in a message', () => {
    const out = redact('a postgres://u:one@h/a b postgres://v:two@h/b');
    expect(out).not.toContain('one');
    expect(out).not.toContain('two');
  });

  it('parses a URL given on its own, so a password with spaces or quotes is caught whole', () => {
    expect(redact("postgres://app:it's a secret@db/platform?password=x")).toBe(
      'postgres://app:***@db/platform?password=***',
    );
    expect(redact('postgres://app:p w@db/platform')).not.toContain('p w');
  });
});
