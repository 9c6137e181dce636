import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto'
import type { Config } from '../../config/load.js'

/**
 * Secrets at rest: AES-256-GCM with a key from the environment. A sealed value is one string,
 * `enc:v1:<kid>:<iv>:<tag>:<ciphertext>` (base64url parts), so it fits wherever the clear value stood, names the
 * key that sealed it (rotation: the previous key still opens its values) and is authenticated (a changed byte,
 * or another key, fails to open instead of yielding garbage).
 */
export interface SecretBox {
  /** The current key's id: values sealed with another key are re-sealed by `crisp secrets rotate`. */
  readonly kid: string
  seal(plain: string): string
  /** The clear text; throws {@link SecretUnreadableError} when no key of the box opens it. */
  open(sealed: string): string
  isSealed(value: unknown): value is string
  /** The id of the key that sealed a value. */
  kidOf(sealed: string): string | undefined
}

export interface SecretKeys {
  /** Seals, and opens what it sealed. */
  current: string
  /** Opens what it sealed before a rotation, never seals. */
  previous?: string
  /** Names the key's variable in errors (e.g. `CRISP_SECRETS_KEY`). */
  variable: string
}

export class SecretUnreadableError extends Error {
  override name = 'SecretUnreadableError'
}

const PREFIX = 'enc:v1:'
const SEALED = /^enc:v1:([\w-]{1,32}):([\w-]{16}):([\w-]{22}):([\w-]*)$/

/**
 * 32 bytes given as base64/base64url (43–44 characters) or hex (64) are the key itself; any other string of at
 * least 32 characters is a passphrase the key is derived from with HKDF-SHA256.
 */
export function keyMaterial(value: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex')
  if (/^[\w+/-]{43}={0,1}$/.test(value)) {
    const raw = Buffer.from(value.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), 'base64url')
    if (raw.length === 32) return raw
  }
  return Buffer.from(
    hkdfSync('sha256', Buffer.from(value, 'utf8'), Buffer.from('crisp'), Buffer.from('crisp secrets at rest v1'), 32),
  )
}

/** A key's id: a fingerprint of the key, so operators name nothing and a new key gets a new id. */
const kidOfKey = (key: Buffer) =>
  createHash('sha256').update('crisp-secret-box-kid\0').update(key).digest('base64url').slice(0, 12)

export function createSecretBox(keys: SecretKeys): SecretBox {
  const current = keyMaterial(keys.current)
  const kid = kidOfKey(current)
  const byKid = new Map<string, Buffer>([[kid, current]])
  if (keys.previous) {
    const previous = keyMaterial(keys.previous)
    byKid.set(kidOfKey(previous), previous)
  }
  const variables = keys.previous ? `${keys.variable} or ${keys.variable}_PREVIOUS` : keys.variable
  return {
    kid,
    seal(plain) {
      const iv = randomBytes(12)
      const header = `${PREFIX}${kid}`
      const cipher = createCipheriv('aes-256-gcm', current, iv).setAAD(Buffer.from(header))
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return `${header}:${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${ciphertext.toString('base64url')}`
    },
    open(sealed) {
      const parts = SEALED.exec(sealed)
      if (!parts) throw new SecretUnreadableError('the stored value is not a sealed secret (enc:v1:…)')
      const [, sealedKid, iv, tag, ciphertext] = parts
      const key = byKid.get(sealedKid)
      if (!key)
        throw new SecretUnreadableError(
          `it was sealed with key id ${sealedKid}, which is not ${variables} (key id ${kid}); set the key it was sealed with as ${keys.variable}_PREVIOUS`,
        )
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url')).setAAD(
          Buffer.from(`${PREFIX}${sealedKid}`),
        )
        decipher.setAuthTag(Buffer.from(tag, 'base64url'))
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8')
      } catch {
        throw new SecretUnreadableError(`it does not open with key id ${sealedKid} (the stored value was altered)`)
      }
    },
    isSealed: (value): value is string => typeof value === 'string' && value.startsWith(PREFIX),
    kidOf: (sealed) => SEALED.exec(sealed)?.[1],
  }
}

/** The platform's box: `CRISP_SECRETS_KEY` seals, `CRISP_SECRETS_KEY_PREVIOUS` (when set) still opens. */
export const feedSecretBox = (config: Pick<Config, 'secrets'>): SecretBox =>
  createSecretBox({
    current: config.secrets.secretsKey,
    previous: config.secrets.secretsKeyPrevious,
    variable: 'CRISP_SECRETS_KEY',
  })
