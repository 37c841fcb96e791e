// `ignore` globs: `*` and `?` within one path segment, `**` any number of folders. A glob is
// matched against the path relative to the project root and to the migrations folder, so
// `**/*.tmpl`, `internal/x/migrations/*.tmpl` and `*.tmpl` all work.
export function globMatcher(globs: string[]): (paths: string[]) => boolean {
  if (globs.length === 0) return () => false;
  const res = globs.map(toRegExp);
  return (paths) => paths.some((p) => res.some((re) => re.test(p)));
}

function toRegExp(glob: string): RegExp {
  let out = '';
  const g = glob.replace(/^\.\//, '');
  for (let i = 0; i < g.length; i++) {
    const c = g[i];
    if (c === '*' && g[i + 1] === '*') {
      const slash = g[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}
