// Which service owns which table: the relations each service's migrations create (created.ts),
// plus `owns`. The same answer backs check-ownership, `svcdb services` and the collision check.
import type { Project } from '../types.js';
import type { FileAnalysis, ObjectKind } from './refs.js';
import {
  analyzeMigrations,
  createdObjects,
  ownedName,
  sameNamespace,
  TABLE_KINDS,
  type CreatedObject,
} from './created.js';

export interface Creation {
  service: string;
  kind: ObjectKind;
  /** functions: input argument types */
  args?: string;
  schema: string | null;
  name: string;
  file: string;
  line: number;
  column: number;
}

export class OwnershipMap {
  /** table name → services that own it */
  private readonly owners = new Map<string, Set<string>>();
  /** index name → services whose migrations create it */
  private readonly indexOwners = new Map<string, Set<string>>();
  readonly creations: Creation[] = [];
  readonly services: Set<string>;
  /** service → its tables as listed (bare, or `schema.name` outside its own schema) */
  readonly listed = new Map<string, Set<string>>();

  constructor(project: Project, created: CreatedObject[] = []) {
    this.services = new Set(project.services.map((s) => s.name));
    for (const s of project.services) this.listed.set(s.name, new Set());
    for (const c of created) this.addCreated(c);
    for (const service of project.services) {
      for (const entry of service.owns) {
        const { schema, name } = parseQualifiedName(entry);
        const owner = schema && this.services.has(schema) ? schema : service.name;
        this.add(owner, name);
        this.listed.get(owner)?.add(ownedName(owner, schema && this.services.has(schema) ? null : schema, name));
      }
    }
  }

  private add(service: string, name: string, map = this.owners): void {
    let set = map.get(name);
    if (!set) map.set(name, (set = new Set()));
    set.add(service);
  }

  /** An object a service's migrations create; ignored when it is in another service's schema. */
  private addCreated(c: CreatedObject): void {
    if (c.schema && this.services.has(c.schema) && c.schema !== c.service) return;
    this.creations.push({
      service: c.service,
      kind: c.kind,
      ...(c.args === undefined ? {} : { args: c.args }),
      schema: c.schema,
      name: c.name,
      file: c.file,
      line: c.line,
      column: c.column,
    });
    if (c.kind === 'index') this.add(c.service, c.name, this.indexOwners);
    if (!TABLE_KINDS.has(c.kind)) return;
    this.add(c.service, c.name);
    // A table renamed since is listed under its new name (its own migrations may still use the old).
    if (!c.renamedTo) this.listed.get(c.service)?.add(ownedName(c.service, c.schema, c.name));
  }

  /** Owners of a referenced name: the schema's service when qualified with one, else by name. */
  ownersOf(schema: string | null, name: string): string[] {
    if (schema && this.services.has(schema)) return [schema];
    return [...(this.owners.get(name) ?? [])].sort();
  }

  /** Services whose migrations create an index of this name. */
  indexOwnersOf(schema: string | null, name: string): string[] {
    if (schema && this.services.has(schema)) return [schema];
    return [...(this.indexOwners.get(name) ?? [])].sort();
  }

  /** service → the tables it owns, sorted: what `services` and check-ownership list. */
  ownedTables(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [service, names] of this.listed) out[service] = [...names].sort();
    return out;
  }

  /** Names created by two or more services (not each in its own service schema). */
  collisions(): Map<string, Creation[]> {
    const byName = new Map<string, Creation[]>();
    for (const c of this.creations) {
      if (c.schema && c.schema === c.service) continue; // `ingestion.dlq` lives in its own schema
      const key = c.kind === 'function' ? `${c.name}(${c.args ?? ''})` : c.name;
      const list = byName.get(key) ?? [];
      list.push(c);
      byName.set(key, list);
    }
    // As the migrate check: kinds that share a name space (a type and a table; not an index and a type).
    for (const [name, list] of byName) {
      const clashing = list.filter((a) => list.some((b) => b.service !== a.service && sameNamespace(a.kind, b.kind)));
      if (clashing.length === 0) byName.delete(name);
      else byName.set(name, clashing);
    }
    return byName;
  }
}

/** `Foo` → foo, `"Foo"` → Foo, `schema.table` split: as PostgreSQL resolves a name. */
export function parseQualifiedName(text: string): { schema: string | null; name: string } {
  const parts: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^."\s]+))\s*(?:\.|$)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) && m[0] !== '') {
    parts.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2].toLowerCase());
    if (re.lastIndex >= text.length) break;
  }
  if (parts.length === 0) return { schema: null, name: text };
  return parts.length > 1
    ? { schema: parts[parts.length - 2], name: parts[parts.length - 1] }
    : { schema: null, name: parts[0] };
}

/** Builds the map from the analyses of every service's migration files. */
export function buildOwnership(
  project: Project,
  analyses: FileAnalysis[],
  migrationOwner: Map<string, string>,
): OwnershipMap {
  return new OwnershipMap(project, createdObjects(analyses, migrationOwner));
}

/** service → the tables it owns, from its migration files (parsed here) and `owns`. */
export async function ownedTables(project: Project): Promise<Record<string, string[]>> {
  const { analyses, migrationOwner } = await analyzeMigrations(project, project.services);
  return buildOwnership(project, analyses, migrationOwner).ownedTables();
}
