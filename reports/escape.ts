/**
 * Escaping for the renderers. Every string from a results file is untrusted (a response body, a header,
 * an error message can hold anything), so nothing reaches HTML, XML or Markdown unescaped.
 */

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or a quoted attribute value in HTML. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (ch) => HTML[ch]!);
}

const XML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Text or an attribute value in XML 1.0: the five entities, and characters XML cannot carry at all
 * (control characters, lone surrogates, U+FFFE/U+FFFF) replaced by U+FFFD.
 */
export function escapeXml(value: unknown): string {
  return String(value ?? '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/[&<>"']/g, (ch) => XML[ch]!)
    // Attribute values normalize tabs and newlines to spaces: keep them as character references.
    .replace(/[\t\n\r]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * JSON to embed in `<script type="application/json">`: `<` is written `\u003c`, so no `</script>` or
 * `<!--` in the data can end or change the element. U+2028/U+2029 are escaped for good measure.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A Markdown table cell: no pipe, newline or HTML can break the table or inject markup. */
export function mdCell(value: unknown): string {
  return String(value ?? '')
    .replace(/[\r\n]+/g, ' ')
    .replace(/[&<>]/g, (ch) => HTML[ch]!)
    .replace(/([\\|`*_[\]])/g, '\\$1');
}
