// The one place passwords are removed from text before it is printed.

/** Replace the password of every postgres URL in `text` with `***`. */
export function redact(text: string): string {
  // userinfo is everything between '//' and the last '@' before the host part.
  return text.replace(/(postgres(?:ql)?:\/\/)([^\s'"`]*)@/gi, (_m, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    if (colon === -1) return `${scheme}${userinfo}@`;
    return `${scheme}${userinfo.slice(0, colon)}:***@`;
  }).replace(/(password=)([^\s&'"]+)/gi, '$1***');
}
