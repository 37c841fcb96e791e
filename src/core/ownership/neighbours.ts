// The few other files a TS/JS file's references resolve through: the drizzle schema or TypeORM
// entity a relative import names, and the service's schema.prisma. Read on demand, only for
// files that use them, and cached per thread.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type * as TS from 'typescript';
import { isFile } from '../fs.js';
import { clientAccessor, prismaModels } from './extract/prisma.js';
import type { Declarations, Neighbours, TsFile } from './extract/ts-context.js';
import { collectDeclaration } from './extract/ts-orm.js';

const SOURCE_EXT = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.jsx'];
const declarationCache = new Map<string, Declarations | null>();
const prismaCache = new Map<string, Map<string, string> | null>();
const resolveCache = new Map<string, string | null>();

/** Neighbours of the files under `root` (the project root: relative paths resolve against it). */
export function neighbours(ts: typeof TS, root: string): Neighbours {
  return {
    imported: (fromFile, spec) => {
      const file = resolveImport(path.resolve(root, path.dirname(fromFile), spec));
      return file ? declarationsOf(ts, file, 0) : null;
    },
    prismaModels: (fromFile) => prismaFor(path.resolve(root, path.dirname(fromFile)), path.resolve(root)),
  };
}

/** `./schema` → ./schema.ts, ./schema/index.ts…; `./db.js` → ./db.ts (many files import the same few). */
function resolveImport(base: string): string | null {
  const cached = resolveCache.get(base);
  if (cached !== undefined) return cached;
  const stem = base.replace(/\.[cm]?js$/, '');
  const candidates = [base, ...SOURCE_EXT.map((e) => stem + e), ...SOURCE_EXT.map((e) => path.join(base, `index${e}`))];
  const found = candidates.find((c) => /\.[cm]?[jt]sx?$/.test(c) && isFile(c)) ?? null;
  resolveCache.set(base, found);
  return found;
}

/** drizzle tables and TypeORM entities a file exports, following `export * from './x'` one level down. */
function declarationsOf(ts: typeof TS, file: string, depth: number): Declarations | null {
  const cached = declarationCache.get(file);
  if (cached !== undefined) return cached;
  declarationCache.set(file, null); // a cycle ends here
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const decls: Declarations = { tables: new Map(), entities: new Map() };
  if (/Table\s*\(|@Entity|export\s*\*/.test(text)) {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const f: TsFile = {
      ts,
      sf,
      src: text,
      path: file,
      consts: new Map(),
      decls,
      namespaces: new Map(),
      repos: new Map(),
      ctes: new Set(),
      neighbours: null,
      names: [],
    };
    const visit = (node: TS.Node): void => {
      collectDeclaration(f, node);
      ts.forEachChild(node, visit);
    };
    visit(sf);
    if (depth < 2) {
      for (const st of sf.statements) {
        if (!ts.isExportDeclaration(st) || st.exportClause || !st.moduleSpecifier) continue;
        const spec = (st.moduleSpecifier as TS.StringLiteral).text;
        const target = spec.startsWith('.') ? resolveImport(path.resolve(path.dirname(file), spec)) : null;
        const more = target ? declarationsOf(ts, target, depth + 1) : null;
        for (const [k, v] of more?.tables ?? []) decls.tables.set(k, v);
        for (const [k, v] of more?.entities ?? []) decls.entities.set(k, v);
      }
    }
  }
  declarationCache.set(file, decls);
  return decls;
}

/** The nearest schema.prisma (or prisma/schema/*.prisma) from `dir` up to the project root. */
function prismaFor(dir: string, root: string): Map<string, string> | null {
  const cached = prismaCache.get(dir);
  if (cached !== undefined) return cached;
  let found: Map<string, string> | null = null;
  const texts = prismaTexts(dir);
  if (texts.length > 0) {
    found = new Map();
    for (const t of texts) for (const m of prismaModels(t)) found.set(clientAccessor(m.model), m.table);
  } else if (dir !== root && dir.startsWith(root) && path.dirname(dir) !== dir) {
    found = prismaFor(path.dirname(dir), root);
  }
  prismaCache.set(dir, found);
  return found;
}

function prismaTexts(dir: string): string[] {
  for (const file of [path.join(dir, 'prisma/schema.prisma'), path.join(dir, 'schema.prisma')]) {
    if (isFile(file)) return [readFileSync(file, 'utf8')];
  }
  const folder = path.join(dir, 'prisma/schema');
  try {
    return readdirSync(folder)
      .filter((n) => n.endsWith('.prisma'))
      .map((n) => readFileSync(path.join(folder, n), 'utf8'));
  } catch {
    return [];
  }
}
