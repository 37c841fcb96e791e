// What the TS/JS extractors share while walking one file: the parsed file, its constant strings,
// the table-like declarations it makes (drizzle tables, TypeORM entities, repositories), and a
// way to ask about the files it imports.
import type * as TS from 'typescript';
import type { NameRef } from '../refs.js';

/** Tables declared by a file: drizzle `const orders = pgTable('orders', …)`, TypeORM `@Entity('orders') class Order`. */
export interface Declarations {
  /** binding name → table name (quoted parts, see quoteName) */
  tables: Map<string, string>;
  /** entity class name → table name */
  entities: Map<string, string>;
}

/** Other files of the service, read on demand (run-task.ts answers; tests may pass nothing). */
export interface Neighbours {
  /** declarations of the file a relative import names (`./schema`), or null */
  imported(fromFile: string, spec: string): Declarations | null;
  /** Prisma models of the service's schema.prisma: client accessor (`orderItem`) → table, or null when there is none */
  prismaModels(fromFile: string): Map<string, string> | null;
}

export interface TsFile {
  ts: typeof TS;
  sf: TS.SourceFile;
  src: string;
  /** the host file's path (absolute in the lint, as given in tests) */
  path: string;
  /** `const X = 'text'` (one declaration of that name in the file), by name */
  consts: Map<string, TS.Expression>;
  /** own and imported declarations, by local name */
  decls: Declarations;
  /** `import * as schema from './schema'`: namespace name → its declarations */
  namespaces: Map<string, Declarations>;
  /** variable or property name → entity class (`Repository<Order>`, `getRepository(Order)`) */
  repos: Map<string, string>;
  /** kysely/knex CTE names (`.with('recent', …)`): no tables */
  ctes: Set<string>;
  neighbours: Neighbours | null;
  names: NameRef[];
}

/** Quotes each dotted part: builders and ORMs quote identifiers, so `Orders` stays `Orders`. */
export function quoteName(name: string): string {
  return name
    .split('.')
    .map((p) => `"${p.replace(/"/g, '""')}"`)
    .join('.');
}

/** A table name a builder accepts: `orders`, `billing.invoices`, `orders as o`. */
export function tableText(text: string): string | null {
  const m = /^\s*([A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)?)(?:\s+as\s+\w+)?\s*$/i.exec(text);
  return m ? m[1] : null;
}

/** A string argument: a literal, or a const holding one; its text and the file offset of its first character. */
export function stringValue(f: TsFile, node: TS.Node | undefined, depth = 0): { text: string; offset: number } | null {
  if (!node) return null;
  const K = f.ts.SyntaxKind;
  if (node.kind === K.StringLiteral || node.kind === K.NoSubstitutionTemplateLiteral) {
    return { text: (node as TS.StringLiteral).text, offset: node.getStart(f.sf) + 1 };
  }
  if (node.kind === K.Identifier && depth < 3) {
    const init = f.consts.get((node as TS.Identifier).text);
    return init ? stringValue(f, init, depth + 1) : null;
  }
  if (node.kind === K.AsExpression || node.kind === K.ParenthesizedExpression) {
    return stringValue(f, (node as TS.AsExpression).expression, depth);
  }
  return null;
}

/** The last name of a callee or receiver: `knex`, `this.knex`, `ctx.db` → knex, knex, db. */
export function lastName(f: TsFile, node: TS.Node): string | null {
  const K = f.ts.SyntaxKind;
  if (node.kind === K.Identifier) return (node as TS.Identifier).text;
  if (node.kind === K.PropertyAccessExpression) return (node as TS.PropertyAccessExpression).name.text;
  if (node.kind === K.ThisKeyword) return 'this';
  return null;
}

export function pushName(f: TsFile, name: string, offset: number, access: 'read' | 'write', via: string): void {
  f.names.push({ name, offset, access, via });
}
