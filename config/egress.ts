import { statSync } from 'node:fs'
import path from 'node:path'
import { allowListProblems } from '../core/plugin-api/egress-policy.js'
import type { Env } from './env-schema.js'

export interface EgressConfig {
  /** CRISP_FEED_ALLOW_PRIVATE, one CIDR range per entry. */
  allowPrivate: string[]
  /** CRISP_FEED_FILES_DIR as an absolute path; undefined = file feeds disabled. */
  filesDir: string | undefined
}

/** Reads the egress settings, adding one problem per bad allow-list entry and for a files folder that is not one. */
export function resolveEgress(options: { env: Env; cwd: string; problems: string[] }): EgressConfig {
  const { env, cwd, problems } = options
  const allowPrivate = env.CRISP_FEED_ALLOW_PRIVATE.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  for (const problem of allowListProblems(allowPrivate)) problems.push(`CRISP_FEED_ALLOW_PRIVATE: ${problem}`)
  const filesDir = env.CRISP_FEED_FILES_DIR === undefined ? undefined : path.resolve(cwd, env.CRISP_FEED_FILES_DIR)
  if (filesDir !== undefined && !statSync(filesDir, { throwIfNoEntry: false })?.isDirectory()) {
    problems.push(`CRISP_FEED_FILES_DIR: ${filesDir} is not a folder`)
  }
  return { allowPrivate, filesDir }
}
