// The order between services: `services.X.migrateAfter` names services whose migrations must
// be applied before X's (a base set creating tables the others use). Services in one layer
// migrate in parallel; a layer starts when the one before it has finished.
import { UserError } from './errors.js';
import type { Service } from './types.js';

/** `services` in layers honouring migrateAfter (among the chosen services); a cycle is a UserError. */
export function migrationLayers(services: Service[]): Service[][] {
  const chosen = new Map(services.map((s) => [s.name, s]));
  const depth = new Map<string, number>();
  const visit = (s: Service, chain: string[]): number => {
    const known = depth.get(s.name);
    if (known !== undefined) return known;
    if (chain.includes(s.name)) {
      throw new UserError(
        `migrateAfter forms a cycle: ${[...chain.slice(chain.indexOf(s.name)), s.name].join(' → ')}`,
        {
          where: `services.${s.name}.migrateAfter`,
          hint: 'remove one of the entries: a service cannot wait for itself',
        },
      );
    }
    let d = 0;
    for (const name of s.migrateAfter ?? []) {
      const base = chosen.get(name);
      if (base) d = Math.max(d, visit(base, [...chain, s.name]) + 1);
    }
    depth.set(s.name, d);
    return d;
  };
  const layers: Service[][] = [];
  for (const s of services) (layers[visit(s, [])] ??= []).push(s);
  return layers.filter(Boolean);
}
