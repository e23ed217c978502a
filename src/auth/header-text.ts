const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A header value as the text its bytes spell: how a value enters a string
 * to sign, and how stored metadata reads it (src/api/header-values.ts).
 * Node's HTTP parser hands each header byte over as one latin1 character,
 * while signers (boto3, oss2, the OBS SDKs) put a value's UTF-8 bytes on the
 * wire and sign those same bytes. Strings to sign are hashed as UTF-8, so
 * reading the value back as text first makes the hash cover exactly the
 * bytes the client sent. Bytes that are not UTF-8 stay one character each
 * (what a client that sent a latin1 string and signed it as text computed).
 * Signer and verifier both go through here, so they always agree.
 */
export function textOfHeaderBytes(value: string): string {
  // Only 0x80-0xFF can start a multi-byte sequence; a char above 0xFF is a local caller's text, not wire bytes.
  if (!/[\x80-\xff]/.test(value) || /[^\x00-\xff]/.test(value)) return value;
  try {
    return UTF8.decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}
