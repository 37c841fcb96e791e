// JSON log lines on stdout, one object per line, so `svcdb up` (and any log shipper) can read them.

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export function createLogger(service: string): Logger {
  const write = (level: string, msg: string, fields: LogFields = {}) => {
    const line = { time: new Date().toISOString(), level, service, msg, ...serializable(fields) };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
  return {
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}

/** Errors do not survive JSON.stringify: keep their message. */
function serializable(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) out[key] = value instanceof Error ? value.message : value;
  return out;
}
