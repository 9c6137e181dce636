import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'
import { EnvSchema } from './env-schema.js'
import { errorCode } from '../core/plugin-api/thrown.js'

/** Larger than any key, password or URL: a bigger file is a mistake (a device, a log), not a secret. */
const MAX_SECRET_FILE_BYTES = 64 * 1024

/**
 * The variables that may also be given as `<NAME>_FILE`: every variable of the env schema marked `secret: true`
 * (the schema's `Secret()` helper marks its variables, others carry the marker by hand). A new secret in the
 * schema gets its `_FILE` form with no code here.
 */
export function secretVariableNames(schema: { properties: Record<string, unknown> } = EnvSchema): string[] {
  return Object.entries(schema.properties)
    .filter(([, property]) => isMarkedSecret(property))
    .map(([name]) => name)
}

function isMarkedSecret(property: unknown): boolean {
  return typeof property === 'object' && property !== null && 'secret' in property && property.secret === true
}

/**
 * Docker and compose secrets, Kubernetes secret volumes and systemd credentials hand secrets over as files.
 * For each secret variable `NAME`, `NAME_FILE=/run/secrets/x` sets `NAME` to that file's content with its
 * trailing line break(s) removed. Setting both is an error naming both; a missing, unreadable, empty or oversized
 * file is an error naming the variable. Messages never include a file's content.
 * Returns a copy of the environment with the values filled in, and the problems found (all of them).
 */
export function applySecretFiles(
  rawEnv: Record<string, string | undefined>,
  names: string[] = secretVariableNames(),
): { env: Record<string, string | undefined>; problems: string[] } {
  const env = { ...rawEnv }
  const problems: string[] = []
  for (const name of names) {
    const fileVariable = `${name}_FILE`
    const file = rawEnv[fileVariable]
    if (file === undefined || file === '') continue
    if (rawEnv[name] !== undefined && rawEnv[name] !== '') {
      problems.push(`${fileVariable}: ${name} and ${fileVariable} are both set; set only one of them`)
      continue
    }
    const read = readSecretFile(file)
    if ('error' in read) problems.push(`${fileVariable}: cannot use ${file} for ${name}: ${read.error}`)
    else env[name] = read.value
  }
  return { env, problems }
}

function readSecretFile(file: string): { value: string } | { error: string } {
  let fd: number
  try {
    // Non-blocking so a FIFO named by mistake fails instead of hanging the boot; regular files read as usual.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (err) {
    return { error: describeFsError(err) }
  }
  try {
    const stat = fstatSync(fd)
    if (!stat.isFile()) return { error: 'not a regular file' }
    if (stat.size > MAX_SECRET_FILE_BYTES) return { error: `larger than ${MAX_SECRET_FILE_BYTES} bytes` }
    const buffer = Buffer.alloc(stat.size)
    const length = stat.size === 0 ? 0 : readSync(fd, buffer, 0, stat.size, 0)
    const value = buffer
      .subarray(0, length)
      .toString('utf8')
      .replace(/[\r\n]+$/, '')
    return value === '' ? { error: 'the file is empty' } : { value }
  } catch (err) {
    return { error: describeFsError(err) }
  } finally {
    closeSync(fd)
  }
}

/** The error's code and reason (`ENOENT: no such file…`) without Node's repetition of the path. */
function describeFsError(err: unknown): string {
  const code = errorCode(err)
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'EISDIR') return 'not a regular file'
  return code ?? 'unreadable'
}
