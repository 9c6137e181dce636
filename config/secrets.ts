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

const SECRET_VARS = {
  jwt: 'CRISP_JWT_SECRET',
  anonymizationKey: 'CRISP_ANONYMIZATION_KEY',
  adminSession: 'CRISP_ADMIN_SESSION_SECRET',
  secretsKey: 'CRISP_SECRETS_KEY',
  downloadLink: 'CRISP_DOWNLOAD_LINK_SECRET',
} as const satisfies Record<Exclude<keyof Secrets, 'jwtPrevious' | 'secretsKeyPrevious'>, keyof Env>

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
  const values = { jwtPrevious: env.CRISP_JWT_SECRET_PREVIOUS, secretsKeyPrevious: env.CRISP_SECRETS_KEY_PREVIOUS } as Secrets
  const missing: (keyof typeof SECRET_VARS)[] = []
  if (env.CRISP_DOWNLOAD_LINK_SECRET && env.CRISP_DOWNLOAD_LINK_SECRET === env.CRISP_JWT_SECRET) {
    problems.push('CRISP_DOWNLOAD_LINK_SECRET: must differ from CRISP_JWT_SECRET (a leak of one must not forge the other)')
  }
  for (const [key, variable] of Object.entries(SECRET_VARS) as [keyof typeof SECRET_VARS, keyof Env][]) {
    const value = env[variable] as string | undefined
    if (value) values[key] = value
    else missing.push(key)
  }
  if (missing.length === 0) return { values, generated: [], fromFile: [] }
  if (env.NODE_ENV === 'production') {
    for (const key of missing) problems.push(`${SECRET_VARS[key]}: required when NODE_ENV=production`)
    return { values, generated: [], fromFile: [] }
  }
  const file = path.join(dataDir, 'secrets.json')
  const stored: Partial<Record<keyof typeof SECRET_VARS, string>> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}
  const created: (keyof typeof SECRET_VARS)[] = []
  for (const key of missing) {
    if (!stored[key]) {
      stored[key] = randomBytes(32).toString('base64url')
      created.push(key)
    }
    values[key] = stored[key] as string
  }
  if (created.length) {
    mkdirSync(dataDir, { recursive: true })
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 })
  }
  return {
    values,
    generated: created.map((k) => SECRET_VARS[k]),
    fromFile: missing.filter((k) => !created.includes(k)).map((k) => SECRET_VARS[k]),
  }
}
