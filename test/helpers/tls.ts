import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface TestCert {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
}

/** A self-signed certificate for 127.0.0.1 and localhost, made by openssl in `dir` (prefix keeps several apart). */
export async function selfSignedCert(dir: string, prefix = 'tls', cn = 'stratus-test'): Promise<TestCert> {
  const certFile = path.join(dir, `${prefix}.crt`);
  const keyFile = path.join(dir, `${prefix}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', `/CN=${cn}`, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return { certFile, keyFile, cert: await fs.readFile(certFile), key: await fs.readFile(keyFile) };
}
