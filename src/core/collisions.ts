// Objects two services would both create in one schema of one database: the shared-strategy
// check that stops migrate and plan before anything is written.
import { describeObject, sameNamespace, type CreatedObject } from './ownership/created.js';
import type { ObjectKind } from './ownership/refs.js';

/** A created object with the schema it lands in (its own, else the service's default). */
export interface PlacedObject extends CreatedObject {
  where: string;
}

export interface Collision {
  /** `table dlq`, `index idx`, `type public.status`… as PostgreSQL would clash on it */
  object: string;
  /** the name alone, qualified outside the default schema */
  name: string;
  /** each service that creates it, with what and where */
  creators: Array<{ service: string; file: string; line: number; kind: ObjectKind }>;
}

/** Names created by two or more services in one schema, sorted by name. */
export function findCollisions(objects: PlacedObject[], defaultSchema = 'public'): Collision[] {
  const byName = new Map<string, PlacedObject[]>();
  for (const o of objects) {
    const key = `${o.where}\0${o.kind === 'function' ? `${o.name}(${o.args ?? ''})` : o.name}`;
    const list = byName.get(key) ?? [];
    list.push(o);
    byName.set(key, list);
  }
  const out: Array<Collision & { key: string }> = [];
  for (const [key, list] of byName) {
    // the first object of each service, and the first other-service object it clashes with
    const clash = list.find((a) => list.some((b) => b.service !== a.service && sameNamespace(a.kind, b.kind)));
    if (!clash) continue;
    const creators: PlacedObject[] = [];
    for (const o of list)
      if (!creators.some((c) => c.service === o.service) && sameNamespace(o.kind, clash.kind)) creators.push(o);
    const qualified = clash.where === defaultSchema ? clash.name : `${clash.where}.${clash.name}`;
    out.push({
      key,
      object: describeObject(clash, qualified),
      name: qualified,
      creators: creators.map(({ service, file, line, kind }) => ({ service, file, line, kind })),
    });
  }
  return out.sort((a, b) => a.key.localeCompare(b.key)).map(({ key: _key, ...c }) => c);
}
