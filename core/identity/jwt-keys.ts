import { createHash } from 'node:crypto'
import { createSigner, createVerifier } from 'fast-jwt'
import type { Config } from '../../config/load.js'

/** Signs and verifies access tokens (HS256, `kid` in the header). */
export interface JwtCodec {
  /** A token over `payload` with `iat`, `exp` (the access-token lifetime) and the current key's `kid`. */
  sign(payload: object): string
  /** The payload of a token signed by a key of the set, not expired; throws otherwise. */
  verify(token: string): unknown
}

export interface JwtKeys {
  /** `CRISP_JWT_SECRET`: signs, and verifies what it signed. */
  current: string
  /** `CRISP_JWT_SECRET_PREVIOUS`: verifies what it signed before a rotation, never signs. */
  previous?: string
}

/**
 * A key's id is a fingerprint of the secret: operators name nothing, and a new secret gets a new id. It reveals
 * no more than a token's signature already does (both are functions of the secret an attacker cannot invert).
 */
export const jwtKeyId = (secret: string) =>
  createHash('sha256').update(`crisp-jwt-kid\0${secret}`).digest('base64url').slice(0, 16)

/** Refused token: the message names the reason for logs and tests; callers answer a generic 401. */
export class JwtRefusedError extends Error {
  override name = 'JwtRefusedError'
}

function headerOf(token: string): Record<string, unknown> {
  try {
    const header: unknown = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'))
    if (header !== null && typeof header === 'object' && !Array.isArray(header)) return { ...header }
  } catch {
    // falls through: not a JWT header
  }
  throw new JwtRefusedError('token header is not a JSON object')
}

/** The codec of a platform's configuration: `CRISP_JWT_SECRET` (+ `_PREVIOUS`) and `CRISP_ACCESS_TOKEN_TTL`. */
export const jwtCodecOf = (config: Pick<Config, 'secrets' | 'auth'>): JwtCodec =>
  createJwtCodec({
    keys: { current: config.secrets.jwt, previous: config.secrets.jwtPrevious },
    accessTokenTtl: config.auth.accessTokenTtl,
  })

/**
 * The access-token codec over a key set. Verification picks the key by the header's `kid` and accepts HS256
 * only (no `none`, no RS/ES: a public key can never be mistaken for an HMAC secret); a token without a `kid`, or
 * with one of no key in the set (a removed previous secret), is refused. Every token must carry `exp`.
 */
export function createJwtCodec(options: { keys: JwtKeys; accessTokenTtl: number }): JwtCodec {
  const secrets = [
    options.keys.current,
    ...(options.keys.previous && options.keys.previous !== options.keys.current ? [options.keys.previous] : []),
  ]
  const verifiers = new Map(
    secrets.map((secret) => [
      jwtKeyId(secret),
      createVerifier({ key: secret, algorithms: ['HS256'], requiredClaims: ['exp'] }),
    ]),
  )
  const signer = createSigner({
    key: options.keys.current,
    algorithm: 'HS256',
    kid: jwtKeyId(options.keys.current),
    expiresIn: options.accessTokenTtl * 1000,
  })
  return {
    sign: (payload) => signer({ ...payload }),
    verify(token) {
      const header = headerOf(token)
      if (header.alg !== 'HS256') throw new JwtRefusedError(`algorithm ${JSON.stringify(header.alg)} is not accepted`)
      if (typeof header.kid !== 'string') throw new JwtRefusedError('token has no key id (kid)')
      const verify = verifiers.get(header.kid)
      if (!verify) throw new JwtRefusedError(`no key with id ${JSON.stringify(header.kid)} (a rotated-out secret?)`)
      const payload: unknown = verify(token)
      return payload
    },
  }
}
