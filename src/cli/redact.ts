// Nothing secret reaches the terminal: header values that carry credentials, and URL query values named like
// credentials (`?access_token=…`), are replaced before anything is echoed or a library message is printed.

const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie)$|token|secret|api[-_]?key|password|auth/i;
const SECRET_PARAM = /token|secret|key|password|passwd|auth|sig(nature)?|session|code/i;

export const REDACTED = '[redacted]';

/** `Name: value` for each header, credentials redacted. */
export function redactHeaders(headers: Readonly<Record<string, string>>): string {
  return Object.entries(headers)
    .map(([name, value]) => `${name}: ${SECRET_HEADER.test(name) ? REDACTED : value}`)
    .join(', ');
}

/** The text with the values of credential-like query parameters of every URL in it redacted. */
export function redactText(text: string): string {
  return text.replace(/([?&])([^=&#\s]+)=([^&#\s"')]*)/g, (whole, sep: string, name: string) =>
    SECRET_PARAM.test(decodeURIComponent(name)) ? `${sep}${name}=${REDACTED}` : whole,
  );
}
