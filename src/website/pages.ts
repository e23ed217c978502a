/** S3's website error pages: a small HTML document naming the code and message (and the key or bucket). */
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const TITLES: Record<number, string> = { 400: '400 Bad Request', 403: '403 Forbidden', 404: '404 Not Found', 405: '405 Method Not Allowed', 500: '500 Internal Server Error' };

export function errorPage(status: number, code: string, message: string, details: Record<string, string>, requestId: string): string {
  const title = TITLES[status] ?? `${status} Error`;
  const items = [`<li>Code: ${escape(code)}</li>`, `<li>Message: ${escape(message)}</li>`]
    .concat(Object.entries(details).map(([k, v]) => `<li>${escape(k)}: ${escape(v)}</li>`))
    .concat(`<li>RequestId: ${escape(requestId)}</li>`);
  return `<html>\n<head><title>${title}</title></head>\n<body>\n<h1>${title}</h1>\n<ul>\n${items.join('\n')}\n</ul>\n<hr/>\n</body>\n</html>\n`;
}
