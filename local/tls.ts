/**
 * The local cluster's TLS material: a CA and a server certificate for
 * 127.0.0.1/localhost signed by it, generated once and kept in the data
 * directory (keys mode 0600) so kubeconfigs stay valid across restarts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

/** PEM-encoded CA certificate and the server's key pair. */
export interface TlsMaterial {
  caCert: string;
  cert: string;
  key: string;
}

/** Loads the TLS material from `dir`, generating it on first use. */
export async function ensureTls(dir: string, hosts: string[] = ['127.0.0.1', 'localhost']): Promise<TlsMaterial> {
  const paths = {
    ca: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    cert: join(dir, 'server.crt'),
    key: join(dir, 'server.key'),
  };
  if (existsSync(paths.ca) && existsSync(paths.cert) && existsSync(paths.key)) {
    return {
      caCert: readFileSync(paths.ca, 'utf8'),
      cert: readFileSync(paths.cert, 'utf8'),
      key: readFileSync(paths.key, 'utf8'),
    };
  }
  const notAfterDate = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  const ca = await generate([{ name: 'commonName', value: 'skube-ca' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    curve: 'P-256',
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'skube-apiserver' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    curve: 'P-256',
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: hosts.map((h) => (/^[\d.]+$/.test(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h })),
      },
    ],
  });
  writeFileSync(paths.caKey, ca.private, { mode: 0o600 });
  writeFileSync(paths.ca, ca.cert, { mode: 0o644 });
  writeFileSync(paths.key, server.private, { mode: 0o600 });
  writeFileSync(paths.cert, server.cert, { mode: 0o644 });
  return { caCert: ca.cert, cert: server.cert, key: server.private };
}
