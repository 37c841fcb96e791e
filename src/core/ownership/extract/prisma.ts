// Prisma schema files: each `model X { … }` is a table, named by `@@map("t")` or else the model
// name (Prisma quotes it, so its case is kept), in `@@schema("s")` when given.
import type { NameRef } from '../refs.js';
import { quoteName } from './ts-context.js';

export interface PrismaModel {
  model: string;
  /** quoted, possibly schema-qualified */
  table: string;
  /** file offset of the @@map string's first character, else of the model name */
  offset: number;
}

export function prismaModels(text: string): PrismaModel[] {
  const out: PrismaModel[] = [];
  const clean = text.replace(/\/\/[^\n]*/g, (c) => ' '.repeat(c.length));
  const re = /^[ \t]*(?:model|view)[ \t]+([A-Za-z_]\w*)[ \t]*\{/gm;
  for (let m = re.exec(clean); m; m = re.exec(clean)) {
    const bodyStart = m.index + m[0].length;
    const end = clean.indexOf('\n}', bodyStart);
    const body = clean.slice(bodyStart, end < 0 ? clean.length : end);
    const map = /@@map\(\s*(?:name\s*:\s*)?"([^"]+)"/.exec(body);
    const schema = /@@schema\(\s*"([^"]+)"/.exec(body)?.[1];
    const name = map ? map[1] : m[1];
    const offset = map ? bodyStart + map.index + map[0].length - map[1].length - 1 : m.index + m[0].indexOf(m[1], 5);
    out.push({ model: m[1], table: schema ? `${quoteName(schema)}.${quoteName(name)}` : quoteName(name), offset });
  }
  return out;
}

/** Declarations in a .prisma file, as reads (the service maps these tables). */
export function prismaRefs(text: string): NameRef[] {
  return prismaModels(text).map((m) => ({ name: m.table, offset: m.offset, access: 'read', via: 'prisma model' }));
}

/** The client's accessor for a model: `OrderItem` → `orderItem`. */
export function clientAccessor(model: string): string {
  return model[0].toLowerCase() + model.slice(1);
}
