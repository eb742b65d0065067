/**
 * Control characters (C0 incl. newline, tab and ESC, DEL, C1) and the bidirectional overrides that can
 * reorder a terminal line: what a file name must not carry into a terminal.
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const UNPRINTABLE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function escape(c: string): string {
  const code = c.charCodeAt(0);
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * A name (file path, class folder) safe to print on one terminal line: control characters are shown as
 * escapes (`\x1b`, `\n`), so a name cannot clear the screen, set the title or break one-line-per-file output.
 */
export function printable(name: string): string {
  return name.replace(UNPRINTABLE, escape);
}

/** A message of several lines safe to print: as `printable`, but its own line breaks are kept. */
export function printableLines(text: string): string {
  return text.replace(UNPRINTABLE_BUT_NEWLINE, escape);
}
