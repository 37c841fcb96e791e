// The one place passwords are removed from free text before it is printed. (A URL held on its
// own goes through url.ts `redactUrl`, which parses it; this handles URLs inside messages.)

const URL_TOKEN = /(postgres(?:ql)?:\/\/)(\S*)/gi;

/** Replace the password of every postgres URL, and every `password=` value, in `text` with `***`. */
export function redact(text: string): string {
  return text
    .replace(URL_TOKEN, (_m, scheme: string, rest: string) => scheme + redactAfterScheme(rest))
    .replace(/(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&'"]+)/gi, '$1***');
}

// The userinfo ends at the LAST '@' of the token: an unencoded password may hold '@', ':', '/',
// quotes and '#', but a URL inside a message never holds whitespace.
function redactAfterScheme(rest: string): string {
  const at = rest.lastIndexOf('@');
  if (at === -1) return rest;
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  if (colon === -1) return rest;
  return `${userinfo.slice(0, colon)}:***${rest.slice(at)}`;
}
