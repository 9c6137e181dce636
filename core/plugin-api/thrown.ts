/**
 * Reading a thrown value without a cast: Node's system errors, zlib and the DNS resolver carry a string `code`,
 * anything may be thrown. Here, below the platform, because the HTTP client and the local files read them too.
 */

/** The `code` an error carries (`ENOENT`, `Z_DATA_ERROR`, …), else undefined. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined
  return typeof err.code === 'string' ? err.code : undefined
}

/** A thrown value's message: an Error's own, anything else as text. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
