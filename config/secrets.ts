import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Env } from './env-schema.js'

export interface Secrets {
  jwt: string
  anonymizationKey: string
  adminSession: string
}

const SECRET_VARS = {
  jwt: 'CRISP_JWT_SECRET',
  anonymizationKey: 'CRISP_ANONYMIZATION_KEY',
  adminSession: 'CRISP_ADMIN_SESSION_SECRET',
} as const satisfies Record<keyof Secrets, keyof Env>

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
  const values = {} as Secrets
  const missing: (keyof Secrets)[] = []
  for (const [key, variable] of Object.entries(SECRET_VARS) as [keyof Secrets, keyof Env][]) {
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
  const stored: Partial<Secrets> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}
  const created: (keyof Secrets)[] = []
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
