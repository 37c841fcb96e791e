// Which service owns which table: the relations each service's migrations create, plus `owns`.
import type { Project } from '../types.js';
import type { FileAnalysis, TableRef } from './refs.js';

export interface Creation {
  service: string;
  schema: string | null;
  name: string;
  file: string;
  line: number;
  column: number;
}

export class OwnershipMap {
  /** table name → services that own it */
  private readonly owners = new Map<string, Set<string>>();
  readonly creations: Creation[] = [];
  readonly services: Set<string>;

  constructor(project: Project) {
    this.services = new Set(project.services.map((s) => s.name));
    for (const service of project.services) {
      for (const entry of service.owns) {
        const { schema, name } = parseQualifiedName(entry);
        this.add(schema && this.services.has(schema) ? schema : service.name, name);
      }
    }
  }

  private add(service: string, name: string): void {
    let set = this.owners.get(name);
    if (!set) this.owners.set(name, (set = new Set()));
    set.add(service);
  }

  /** A CREATE in one of `service`'s migrations; ignored when it targets another service's schema. */
  addCreation(service: string, file: string, ref: TableRef): void {
    if (ref.schema && this.services.has(ref.schema) && ref.schema !== service) return;
    this.add(service, ref.name);
    this.creations.push({ service, schema: ref.schema, name: ref.name, file, line: ref.line, column: ref.column });
  }

  /** Owners of a referenced name: the schema's service when qualified with one, else by name. */
  ownersOf(schema: string | null, name: string): string[] {
    if (schema && this.services.has(schema)) return [schema];
    return [...(this.owners.get(name) ?? [])].sort();
  }

  /** Names created by two or more services (not each in its own service schema). */
  collisions(): Map<string, Creation[]> {
    const byName = new Map<string, Creation[]>();
    for (const c of this.creations) {
      if (c.schema && c.schema === c.service) continue; // `ingestion.dlq` lives in its own schema
      const list = byName.get(c.name) ?? [];
      list.push(c);
      byName.set(c.name, list);
    }
    for (const [name, list] of byName) if (new Set(list.map((c) => c.service)).size < 2) byName.delete(name);
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
  const map = new OwnershipMap(project);
  for (const a of analyses) {
    const service = migrationOwner.get(a.file);
    if (!service) continue;
    for (const ref of a.refs) if (ref.access === 'create') map.addCreation(service, a.file, ref);
  }
  return map;
}
