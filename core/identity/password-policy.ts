import { readFileSync } from 'node:fs'
import { projectPath } from '../project-root.js'

// Loaded once: ~3000 common passwords, lower-cased. Shipped as a text file so operators can extend it.
let common: Set<string> | undefined
function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(projectPath('core', 'identity', 'common-passwords.txt'), 'utf8')
      .split('\n')
      .map((l) => l.trim().toLowerCase())
      .filter(Boolean),
  )
  return common
}

const normalize = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '')

/** Strips the decorations people add to a base word ("Summer2024!!") to find the word underneath. */
const core = (s: string) => s.toLowerCase().replace(/[^a-z]/g, '')

/**
 * Tokens from the user's identity a password must not be built around: the email local part and the
 * display name, whole and word by word (words under 4 letters are too common to matter).
 */
function identityTokens(context: { email?: string; displayName?: string }): string[] {
  const local = (context.email ?? '').split('@')[0]
  const words = [local, context.displayName ?? '', ...`${local} ${context.displayName ?? ''}`.split(/[^A-Za-z0-9]+/)]
  return [...new Set(words.map(normalize).filter((w) => w.length >= 4))]
}

/**
 * Checks a candidate password; returns every problem (empty when acceptable). Policy: at least 12
 * characters, an upper- and a lower-case letter, two digits, a symbol; not a common password (even with
 * digits and symbols around it); not built from the user's email or name.
 */
export function checkPasswordPolicy(
  password: string,
  context: { email?: string; displayName?: string } = {},
): string[] {
  const problems: string[] = []
  if ([...password].length < 12) problems.push('must be at least 12 characters')
  if (!/\p{Lu}/u.test(password)) problems.push('must contain an upper-case letter')
  if (!/\p{Ll}/u.test(password)) problems.push('must contain a lower-case letter')
  if ((password.match(/\p{Nd}/gu) ?? []).length < 2) problems.push('must contain at least two digits')
  if (!/[^\p{L}\p{Nd}]/u.test(password)) problems.push('must contain a symbol')
  const list = commonPasswords()
  if (
    list.has(password.toLowerCase()) ||
    list.has(normalize(password)) ||
    (core(password).length >= 4 && list.has(core(password)))
  ) {
    problems.push('is a commonly used password')
  }
  const flat = normalize(password)
  if (identityTokens(context).some((token) => flat.includes(token) || token.includes(flat))) {
    problems.push('must not contain your email name or display name')
  }
  return problems
}
