import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Download links of finished exports: `…/download?expires=<unix s>&token=<HMAC>`. The token is
 * HMAC-SHA256(secret, "export-download:<jobId>:<expires>"), so a link works without a session (for curl or a
 * browser) until it expires, proves who issued it, and cannot be extended or moved to another job. The secret is
 * `CRISP_DOWNLOAD_LINK_SECRET`, never the JWT secret: a leaked link key forges no access token, and the other way
 * round. Changing it invalidates links already handed out (a job's view signs a fresh one on every read).
 */
const tokenOf = (secret: string, jobId: string, expires: number) =>
  createHmac('sha256', secret).update(`export-download:${jobId}:${expires}`).digest('base64url')

export function signDownload(secret: string, jobId: string, expiresAt: Date): { expires: number; token: string } {
  const expires = Math.floor(expiresAt.getTime() / 1000)
  return { expires, token: tokenOf(secret, jobId, expires) }
}

export function verifyDownload(
  secret: string,
  jobId: string,
  expires: number,
  token: string,
  now = Date.now(),
): boolean {
  if (!Number.isInteger(expires) || expires * 1000 <= now) return false
  const expected = Buffer.from(tokenOf(secret, jobId, expires))
  const given = Buffer.from(token)
  return given.length === expected.length && timingSafeEqual(given, expected)
}
