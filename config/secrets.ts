import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Env } from './env-schema.js'

export interface Secrets {
  jwt: string
  anonymizationKey: string
  adminSession: string
  /** Key of feed secrets at rest (core/infra/secret-box.ts). */
  secretsKey: string
  /** HMAC key of export download links: never the JWT secret. */
  downloadLink: string
  /** Rotation: the previous JWT secret still verifies, the previous secrets key still decrypts (never generated). */
  jwtPrevious?: string
  secretsKeyPrevious?: string
}

/** The secrets every platform needs, generated in development when the environment leaves them out. */
const REQUIRED_SECRETS = ['jwt', 'anonymizationKey', 'adminSession', 'secretsKey', 'downloadLink'] as const
type RequiredSecret = (typeof REQUIRED_SECRETS)[number]

const SECRET_VARS = {
  jwt: 'CRISP_JWT_SECRET',
  anonymizationKey: 'CRISP_ANONYMIZATION_KEY',
  adminSession: 'CRISP_ADMIN_SESSION_SECRET',
  secretsKey: 'CRISP_SECRETS_KEY',
  downloadLink: 'CRISP_DOWNLOAD_LINK_SECRET',
} as const satisfies Record<RequiredSecret, keyof Env>

/**
 * Secrets come from the environment. In production a missing one is fatal; in development and test they are
 * generated once and kept in `<dataDir>/secrets.json` (mode 600) so tokens and pseudonyms survive restarts.
 */
export function resolveSecrets(options: { env: Env; dataDir: string; problems: string[] }): {
  values: Secrets
  /** Variables whose secret was created just now. */
  generated: string[]
  /** Variables whose secret came from the development secrets file. */
  fromFile: string[]
} {
  const { env, dataDir, problems } = options
  const found: Partial<Record<RequiredSecret, string>> = {}
  const missing: RequiredSecret[] = []
  if (env.CRISP_DOWNLOAD_LINK_SECRET && env.CRISP_DOWNLOAD_LINK_SECRET === env.CRISP_JWT_SECRET) {
    problems.push(
      'CRISP_DOWNLOAD_LINK_SECRET: must differ from CRISP_JWT_SECRET (a leak of one must not forge the other)',
    )
  }
  for (const key of REQUIRED_SECRETS) {
    const value = env[SECRET_VARS[key]]
    if (value) found[key] = value
    else missing.push(key)
  }
  const values = (from: Partial<Record<RequiredSecret, string>>): Secrets => ({
    // Empty only when a problem was reported: the configuration is then refused as a whole.
    jwt: from.jwt ?? '',
    anonymizationKey: from.anonymizationKey ?? '',
    adminSession: from.adminSession ?? '',
    secretsKey: from.secretsKey ?? '',
    downloadLink: from.downloadLink ?? '',
    jwtPrevious: env.CRISP_JWT_SECRET_PREVIOUS,
    secretsKeyPrevious: env.CRISP_SECRETS_KEY_PREVIOUS,
  })
  if (missing.length === 0) return { values: values(found), generated: [], fromFile: [] }
  if (env.NODE_ENV === 'production') {
    for (const key of missing) problems.push(`${SECRET_VARS[key]}: required when NODE_ENV=production`)
    return { values: values(found), generated: [], fromFile: [] }
  }
  const file = path.join(dataDir, 'secrets.json')
  const kept: unknown = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}
  const stored = storedSecrets(kept)
  const created: RequiredSecret[] = []
  for (const key of missing) {
    let value = stored[key]
    if (!value) {
      value = randomBytes(32).toString('base64url')
      stored[key] = value
      created.push(key)
    }
    found[key] = value
  }
  if (created.length) {
    mkdirSync(dataDir, { recursive: true })
    // Entries this version does not know are written back as they were.
    writeFileSync(
      file,
      JSON.stringify({ ...(typeof kept === 'object' && kept !== null ? kept : {}), ...stored }, null, 2),
      { mode: 0o600 },
    )
  }
  return {
    values: values(found),
    generated: created.map((k) => SECRET_VARS[k]),
    fromFile: missing.filter((k) => !created.includes(k)).map((k) => SECRET_VARS[k]),
  }
}

/** The generated secrets kept in `secrets.json`: every string entry of a known name, nothing else. */
function storedSecrets(parsed: unknown): Partial<Record<RequiredSecret, string>> {
  const stored: Partial<Record<RequiredSecret, string>> = {}
  if (typeof parsed !== 'object' || parsed === null) return stored
  for (const key of REQUIRED_SECRETS) {
    const value: unknown = Reflect.get(parsed, key)
    if (typeof value === 'string') stored[key] = value
  }
  return stored
}
