import type { AnonymizeEnv } from './policy.js'
import { scrubInsideName } from './text.js'

/**
 * Names that point at a person or a host's file system: user accounts (always, below none), file names and
 * directory paths (from medium: at low a malware file name is still useful to a trusted partner).
 */
export function anonymizeFileName(value: string, env: AnonymizeEnv): string {
  return env.policy.pseudonymizeFileNames ? `file-${env.p.label('file', value)}` : scrubInsideName(value, env)
}

export function anonymizePath(value: string, env: AnonymizeEnv): string {
  return env.policy.pseudonymizeFileNames ? `dir-${env.p.label('path', value)}` : scrubInsideName(value, env)
}

export function anonymizeAccount(kind: 'login' | 'user-id', value: string, env: AnonymizeEnv): string {
  return `${kind === 'login' ? 'user' : 'uid'}-${env.p.label(`account-${kind}`, value)}`
}

/** MAC addresses: kept at low, then a keyed, locally administered unicast address (02:…). */
export function anonymizeMac(value: string, env: AnonymizeEnv): string {
  if (!env.policy.pseudonymizeDomains) return value
  return env.p.derive('mac', value.toLowerCase(), (b) => `02:${b.toString('hex', 0, 5).match(/../g)!.join(':')}`)
}
