import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { baseUrlVariable, serviceEnv } from '../../src/runtime/env.js';
import { startOrder } from '../../src/runtime/order.js';
import { execIfSimple } from '../../src/runtime/process.js';

describe('start order', () => {
  it('starts dependencies first and keeps the config order otherwise', () => {
    const order = startOrder([
      { name: 'ingestion', after: ['eventhandler', 'tsdb'] },
      { name: 'query', after: ['eventhandler'] },
      { name: 'eventhandler', after: [] },
      { name: 'tsdb', after: [] },
    ]).map((s) => s.name);
    expect(order).toEqual(['eventhandler', 'tsdb', 'ingestion', 'query']);
  });

  it('a cycle is a config error naming it', () => {
    expect(() =>
      startOrder([
        { name: 'a', after: ['b'] },
        { name: 'b', after: ['a'] },
      ]),
    ).toThrow(/cycle: a → b → a/);
  });

  it('running after a service with no run command is a config error naming the key', () => {
    try {
      startOrder([{ name: 'query', after: ['ghost'] }]);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).where).toBe('services.query.run.after');
    }
  });
});

describe('service env', () => {
  it('own database URL and PORT, the other services as <NAME>_URL, never their databases', () => {
    const env = serviceEnv({
      self: { name: 'query', port: 8081 },
      envVar: 'CJ_QUERY_DATABASE_URL',
      databaseUrl: 'postgres://q@h/db',
      others: [{ name: 'query', port: 8081 }, { name: 'read-model', port: 8085 }, { name: 'worker' }],
    });
    expect(env).toEqual({
      CJ_QUERY_DATABASE_URL: 'postgres://q@h/db',
      PORT: '8081',
      READ_MODEL_URL: 'http://127.0.0.1:8085',
    });
    expect(baseUrlVariable('event-handler')).toBe('EVENT_HANDLER_URL');
  });
});

describe('service command', () => {
  it('a simple command is exec-ed so signals reach the service itself; shell syntax runs as written', () => {
    expect(execIfSimple('node dist/main.js --port=1')).toBe('exec node dist/main.js --port=1');
    expect(execIfSimple('npm run build && node dist/main.js')).toBe('npm run build && node dist/main.js');
    expect(execIfSimple('LOG=debug node main.js')).toBe('LOG=debug node main.js');
  });
});

describe('service output', () => {
  it('a service that prints its database URL or password shows neither on the terminal', async () => {
    const { launch } = await import('../../src/runtime/process.js');
    const lines: string[] = [];
    const url = 'postgres://svc_orders:Pa%24%24w0rd-9f2@127.0.0.1:5432/platform';
    const proc = await launch({
      name: 'orders',
      cwd: process.cwd(),
      env: { ORDERS_DATABASE_URL: url },
      command: `node -e "const u = process.env.ORDERS_DATABASE_URL; console.log('connecting to ' + u); console.error('auth with ' + decodeURIComponent(new URL(u).password))"`,
      prefix: (line) => `orders | ${line}`,
      write: (text) => lines.push(text),
    });
    await proc.exited;
    const printed = lines.join('');
    expect(printed).toContain('connecting to postgres://svc_orders:***@127.0.0.1:5432/platform');
    expect(printed).toContain('auth with ***');
    expect(printed).not.toContain('Pa$$w0rd');
    expect(printed).not.toContain('Pa%24%24w0rd');
  });
});
