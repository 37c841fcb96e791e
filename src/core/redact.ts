// The one place passwords are removed before anything is printed: a URL on its own, or free
// text (messages, stack traces, server output) holding URLs and `password=` settings.
import { formatPgUrl, parsePgUrl } from './url.js';

const URL_TOKEN = /(postgres(?:ql)?:\/\/)(\S*)/gi;
const WHOLE_URL = /^postgres(?:ql)?:\/\//i;

/**
 * Replaces with `***` the password of every postgres URL and every `password=` value in
 * `text`. A text that is one URL is parsed (so a password holding spaces or quotes is caught
 * whole); a URL inside a message ends at whitespace.
 */
export function redact(text: string): string {
  if (WHOLE_URL.test(text)) {
    const whole = redactWholeUrl(text);
    if (whole !== null) return whole;
  }
  return text
    .replace(URL_TOKEN, (_m, scheme: string, rest: string) => scheme + redactAfterScheme(rest))
    .replace(/(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&'"]+)/gi, '$1***');
}

function redactWholeUrl(url: string): string | null {
  try {
    const u = parsePgUrl(url);
    // whitespace after the host: a URL followed by words of a message, not one URL
    if (/\s/.test(u.hosts + u.database) || u.params.some(([k, v]) => /\s/.test(k + v))) return null;
    if (u.password !== null) u.password = '***';
    u.params = u.params.map(([k, v]) => [k, k.toLowerCase() === 'password' ? '***' : v]);
    return formatPgUrl(u).replace('%2A%2A%2A', '***');
  } catch {
    return null;
  }
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
