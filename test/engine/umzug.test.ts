// The one place svcdb reaches past umzug's public API (src/db/umzug.ts): these fail when an
// umzug upgrade moves what it relies on, before users pay 100+ ms per run for it.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { PlanStorage } from '../../src/db/history.js';
import { loadUmzug, umzugUnusedModules } from '../../src/db/umzug.js';

describe('umzug, as svcdb loads and drives it', () => {
  it('the modules svcdb stubs out still exist where it expects them', () => {
    const paths = umzugUnusedModules();
    expect(paths).toHaveLength(2);
    for (const p of paths) expect(existsSync(p)).toBe(true);
    expect(paths[0]).toMatch(/umzug[\\/]lib[\\/]cli\.js$/);
  });

  it('its core loads without its CLI: the stubs are what umzug got', () => {
    const { Umzug } = loadUmzug();
    expect(typeof Umzug).toBe('function');
    const require = createRequire(import.meta.url);
    for (const p of umzugUnusedModules()) expect(require.cache[p]?.exports).toEqual({});
  });

  it('runs exactly the steps it is given, in order, up and down (public API only)', async () => {
    const { Umzug } = loadUmzug();
    const ran: string[] = [];
    const steps = ['001_a', '002_b', '003_c'].map((name) => ({
      name,
      up: async () => void ran.push(`up ${name}`),
      down: async () => void ran.push(`down ${name}`),
    }));
    await new Umzug({ migrations: steps, storage: new PlanStorage([]), logger: undefined }).up();
    await new Umzug({ migrations: steps, storage: new PlanStorage(steps.map((s) => s.name)), logger: undefined }).down({
      to: 0,
    });
    expect(ran).toEqual(['up 001_a', 'up 002_b', 'up 003_c', 'down 003_c', 'down 002_b', 'down 001_a']);
  });
});
