import { createHash, createHmac } from 'node:crypto';

/** The hash constructor the AWS signer (@smithy/signature-v4) expects, over node:crypto. */
export class NodeSha256 {
  private h;
  constructor(secret?: Uint8Array | string) {
    this.h = secret ? createHmac('sha256', secret) : createHash('sha256');
  }
  update(data: Uint8Array | string) {
    this.h.update(data);
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
}
