/**
 * The local admin credential: a random bearer token written only into the
 * kubeconfig (mode 0600); the server keeps just its SHA-256 hash, so the data
 * directory never holds the token in clear.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The admin token's hash and, when freshly minted, the token itself (to write into a kubeconfig). */
export interface AdminCredential {
  tokenHash: string;
  token?: string;
}

/** SHA-256 hex of a token. */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * The admin credential for `dir`: keeps `known` (the token of an existing
 * kubeconfig) when its hash matches the stored one, otherwise mints a new
 * token and stores its hash.
 */
export function ensureAdminCredential(dir: string, known: string | undefined): AdminCredential & { token: string } {
  const path = join(dir, 'admin-token.sha256');
  if (known && existsSync(path) && readFileSync(path, 'utf8').trim() === hashToken(known)) {
    return { tokenHash: hashToken(known), token: known };
  }
  const token = randomBytes(32).toString('base64url');
  const tokenHash = hashToken(token);
  writeFileSync(path, `${tokenHash}\n`, { mode: 0o600 });
  return { tokenHash, token };
}
