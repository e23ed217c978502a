/**
 * Dates as the clouds write them in XML bodies: ISO 8601 with the
 * milliseconds always `.000` (`2026-12-04T19:13:09.000Z`). S3 and OSS both
 * write whole seconds, and oss2 parses nothing else; whole seconds also
 * agree with Last-Modified (an HTTP date) and with the conditional headers
 * compared against it (engine/conditions.ts).
 */
export function xmlDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

let lastSecond = NaN;
let lastText = '';

/** An HTTP date (RFC 9110 IMF-fixdate): whole seconds by definition. The last one is kept: most answers name the current second. */
export function httpDate(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastText = new Date(ms).toUTCString();
    lastSecond = second;
  }
  return lastText;
}
