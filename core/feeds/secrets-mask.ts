/** Property names whose values are credentials: never returned by the API, never logged, sealed at rest. */
const SECRET_NAME = /pass(word)?|secret|token|api[-_]?key|auth|credential|private[-_]?key|cookie/i

export const MASK = '********'

type Scalar = string | number | boolean

/**
 * A copy of a feed config with `fn` applied to every secret value: a scalar of a property named like a
 * credential (also inside arrays), and every value of a `headers` map whose name is one (Authorization,
 * X-API-Key, …). `path` is the value's JSON pointer in the config. The one definition of "a secret" that masking
 * (API, console, audit) and sealing at rest (secrets-at-rest.ts) share.
 */
export function mapSecretValues(
  value: unknown,
  fn: (secret: Scalar, path: string) => unknown,
  name = '',
  path = '',
): unknown {
  if (Array.isArray(value)) return value.map((v, i) => mapSecretValues(v, fn, name, `${path}/${i}`))
  if (value === null || typeof value !== 'object')
    return SECRET_NAME.test(name) && isScalar(value) ? fn(value, path) : value
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      SECRET_NAME.test(key) && isScalar(v) ? fn(v, `${path}/${key}`) : mapSecretValues(v, fn, key, `${path}/${key}`)
  }
  return out
}

const isScalar = (v: unknown): v is Scalar => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'

/** A copy of a feed config with secret values replaced by {@link MASK} (empty strings stay empty). */
export const maskSecrets = (value: unknown): unknown => mapSecretValues(value, (v) => (v === '' ? v : MASK))

/**
 * On update, a client sends back the masked config it read: keep the stored secret wherever the new config
 * still holds {@link MASK}. `reveal` turns a stored (sealed) value back into the clear one.
 */
export function restoreMasked(
  next: unknown,
  stored: unknown,
  reveal: (stored: unknown, path: string) => unknown = (v) => v,
  path = '',
): unknown {
  if (next === MASK) return reveal(stored, path)
  if (next === null || typeof next !== 'object' || Array.isArray(next)) return next
  const previous = new Map(stored !== null && typeof stored === 'object' ? Object.entries(stored) : [])
  return Object.fromEntries(
    Object.entries(next).map(([k, v]) => [k, restoreMasked(v, previous.get(k), reveal, `${path}/${k}`)]),
  )
}
