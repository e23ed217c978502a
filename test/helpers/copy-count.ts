/**
 * Bytes produced by Buffer.concat while `fn` runs: a parser's copying measured
 * exactly, so linearity is asserted without a clock.
 */
export async function concatBytes<T>(fn: () => Promise<T>): Promise<{ result: T; copied: number }> {
  const original = Buffer.concat;
  let copied = 0;
  Buffer.concat = ((list: readonly Uint8Array[], total?: number) => {
    const out = original.call(Buffer, list, total);
    copied += out.length;
    return out;
  }) as typeof Buffer.concat;
  try {
    return { result: await fn(), copied };
  } finally {
    Buffer.concat = original;
  }
}
