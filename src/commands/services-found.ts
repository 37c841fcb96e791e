// Fail closed when discovery found nothing: a CI job run with the wrong --cwd must not report
// "all migrated" or "no ownership problems" over an empty project. Every command that acts on
// the services calls this right after loading the project, before anything connects.
import path from 'node:path';
import { UserError } from '../core/errors.js';
import type { Project } from '../core/types.js';

/** UserError (exit 2) naming the globs and the folder searched when the project has no service. */
export function assertServicesFound(project: Project): void {
  if (project.services.length) return;
  const globs = project.config.discover.length ? project.config.discover.join(', ') : '(no discover globs)';
  const where = project.configPath
    ? `the config ${path.relative(project.root, project.configPath) || project.configPath} declares none`
    : 'there is no config file';
  throw new UserError(`no services found: nothing in ${project.root} matches ${globs}, and ${where}`, {
    where: '--cwd',
    hint: 'run from the project root or pass --cwd <dir>; for another layout set discover in the config (e.g. discover: ["internal/services/*/migrations"])',
  });
}
