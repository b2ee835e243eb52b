/**
 * Text from outside (PSP answers, the buyer's browser) made safe to store: no NUL or other control
 * characters, no lone surrogates (PostgreSQL refuses both), and a bounded length.
 */
export function cleanText(text: string, max = 1000): string {
  // deno-lint-ignore no-control-regex
  return text.toWellFormed().replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "").slice(0, max);
}
