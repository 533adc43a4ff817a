/**
 * The emulated S3 endpoint speaks HTTPS only, as aws-amplify's storage client requires (a custom endpoint
 * is always `https://<host>`) and as Amplify buckets enforce (`enforceSSL`). Each emulator makes its own
 * throwaway certificate authority and a server certificate for `localhost`, `s3.localhost` and every
 * `<bucket>.s3.localhost` (virtual-hosted addressing), plus 127.0.0.1 and ::1. Nothing is written to disk;
 * clients trust the CA through `caPem` (see harness/client/s3-trust.ts).
 */
import { webcrypto } from 'node:crypto';

export interface TestCertificate {
  /** PEM of the CA a client must trust. */
  caPem: string;
  /** PEM chain the server presents (server certificate, then CA). */
  certPem: string;
  keyPem: string;
}

export const S3_HOST = 's3.localhost';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

let provided = false;

export async function testCertificate(): Promise<TestCertificate> {
  // Loaded here, not at the top: it is 170 ms of every run's start-up, and only apps with storage need it.
  const x509 = await import('@peculiar/x509');
  if (!provided) {
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
    provided = true;
  }
  const now = Date.now();
  const validity = { notBefore: new Date(now - 60_000), notAfter: new Date(now + 7 * 24 * 3600_000) };
  const caKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=authmatrix emulator test CA',
    keys: caKeys,
    signingAlgorithm: ALG,
    ...validity,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const server = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${S3_HOST}`,
    issuer: ca.subject,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: ALG,
    ...validity,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'dns', value: S3_HOST },
        { type: 'dns', value: `*.${S3_HOST}` },
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  return {
    caPem: ca.toString('pem'),
    certPem: `${server.toString('pem')}\n${ca.toString('pem')}`,
    keyPem: `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`,
  };
}

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex').replace(/^[89a-f]/, '1');
}
