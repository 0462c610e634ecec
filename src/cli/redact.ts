// Nothing secret reaches the terminal or a file: header values that carry credentials, query values named like
// credentials (`?access_token=…`) and a URL's `user:password@` are replaced before anything is echoed, stored
// or a library message printed.

const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie)$|token|secret|api[-_]?key|password|auth/i;
const SECRET_PARAM = /token|secret|key|password|passwd|auth|sig(nature)?|session|code/i;

export const REDACTED = '[redacted]';

/** Whether a query parameter's name says it carries a credential. */
export function isSecretParam(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // a malformed escape (`%ZZ`): judge the name as written
  }
  return SECRET_PARAM.test(decoded);
}

/** `Name: value` for each header, credentials redacted. */
export function redactHeaders(headers: Readonly<Record<string, string>>): string {
  return Object.entries(headers)
    .map(([name, value]) => `${name}: ${SECRET_HEADER.test(name) ? REDACTED : value}`)
    .join(', ');
}

/** The text with the credentials of every URL in it redacted: `user:password@`, and credential-like query values. */
export function redactText(text: string): string {
  return text
    .replace(/(\/\/)[^/@\s"']+@/g, `$1${REDACTED}@`)
    .replace(/([?&])([^=&#\s]+)=([^&#\s"')]*)/g, (whole, sep: string, name: string) =>
      isSecretParam(name) ? `${sep}${name}=${REDACTED}` : whole,
    );
}
