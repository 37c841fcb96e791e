// Start order from each service's `run.after`: dependencies first, a cycle is a config error.
import { UserError } from '../core/errors.js';

export interface Runnable {
  name: string;
  after: string[];
}

/** Topological order (stable: ties keep the input order). Unknown names in `after` are errors. */
export function startOrder<T extends Runnable>(items: T[]): T[] {
  const byName = new Map(items.map((i) => [i.name, i]));
  for (const item of items) {
    for (const dep of item.after) {
      if (!byName.has(dep)) {
        throw new UserError(`service "${item.name}" runs after "${dep}", which has no run command`, {
          where: `services.${item.name}.run.after`,
          hint: `give ${dep} a run.command, or remove it from after`,
        });
      }
    }
  }
  const ordered: T[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (item: T, path: string[]): void => {
    const s = state.get(item.name);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...path.slice(path.indexOf(item.name)), item.name].join(' → ');
      throw new UserError(`run.after forms a cycle: ${cycle}`, {
        where: `services.${item.name}.run.after`,
        hint: 'remove one of the dependencies',
      });
    }
    state.set(item.name, 'visiting');
    for (const dep of item.after) visit(byName.get(dep)!, [...path, item.name]);
    state.set(item.name, 'done');
    ordered.push(item);
  };
  for (const item of items) visit(item, []);
  return ordered;
}

/** `items` plus everything they run after, transitively (for `svcdb up <service...>`). */
export function withDependencies<T extends Runnable>(all: T[], wanted: string[]): T[] {
  const byName = new Map(all.map((i) => [i.name, i]));
  const keep = new Set<string>();
  const add = (name: string): void => {
    if (keep.has(name)) return;
    keep.add(name);
    for (const dep of byName.get(name)?.after ?? []) add(dep);
  };
  wanted.forEach(add);
  return all.filter((i) => keep.has(i.name));
}
