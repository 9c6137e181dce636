/** Property names whose values are credentials: never returned by the API, never logged. */
const SECRET_NAME = /pass(word)?|secret|token|api[-_]?key|auth|credential|private[-_]?key|cookie/i

export const MASK = '********'

/**
 * A copy of a feed config with secret values replaced by {@link MASK}: properties named like credentials,
 * and every value of a `headers` map whose name is (Authorization, X-API-Key, …).
 */
export function maskSecrets(value: unknown, name = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, name))
  if (value === null || typeof value !== 'object') return SECRET_NAME.test(name) && value !== null && value !== '' ? MASK : value
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_NAME.test(key) && v !== null && typeof v !== 'object' ? MASK : maskSecrets(v, key)
  }
  return out
}

/**
 * On update, a client sends back the masked config it read: keep the stored secret wherever the new config
 * still holds {@link MASK}.
 */
export function restoreMasked(next: unknown, stored: unknown): unknown {
  if (next === MASK) return stored
  if (next === null || typeof next !== 'object' || Array.isArray(next)) return next
  const previous = (stored !== null && typeof stored === 'object' ? stored : {}) as Record<string, unknown>
  return Object.fromEntries(Object.entries(next).map(([k, v]) => [k, restoreMasked(v, previous[k])]))
}
