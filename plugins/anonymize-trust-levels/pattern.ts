import { formatPattern, mapComparisons, parsePattern } from '../../core/plugin-api/index.js'
import type { ComparisonNode, Literal, ObjectPath } from '../../core/plugin-api/index.js'
import type { AnonymizeEnv } from './policy.js'
import { anonymizeIpKind, anonymizeValue, isRewritten, kindFromShape, type ValueKind } from './values.js'

/**
 * Indicator patterns are parsed, their constants rewritten per object path with the same rules as SCO values,
 * and formatted again, so the result is a valid pattern that matches the anonymized observables. An address
 * that became a network no longer satisfies `=`: the comparison becomes `ISSUBSET` (`!=` → `NOT ISSUBSET`).
 */
const DIRECT_VALUE_KINDS: Readonly<Record<string, ValueKind>> = {
  'ipv4-addr': { kind: 'ipv4' },
  'ipv6-addr': { kind: 'ipv6' },
  'domain-name': { kind: 'domain' },
  url: { kind: 'url' },
  'email-addr': { kind: 'email' },
  'mac-addr': { kind: 'mac' },
}

const FIELD_KINDS: Readonly<Record<string, ValueKind>> = {
  path: { kind: 'path' },
  account_login: { kind: 'account', field: 'login' },
  user_id: { kind: 'account', field: 'user-id' },
  display_name: { kind: 'person' },
  url: { kind: 'url' },
}

/** Which kind of value a comparison's path holds. */
function kindOfPath(path: ObjectPath, value: string): ValueKind {
  const keys = path.steps.flatMap((s) => (s.kind === 'key' ? [s.name] : []))
  const hashesAt = keys.indexOf('hashes')
  if (hashesAt >= 0 && hashesAt < keys.length - 1) return { kind: 'hash', algorithm: keys[hashesAt + 1] }
  const last = keys[keys.length - 1]
  if (last === 'value') {
    return keys.length === 1 && DIRECT_VALUE_KINDS[path.objectType]
      ? DIRECT_VALUE_KINDS[path.objectType]
      : kindFromShape(value)
  }
  if (last === 'name' && (path.objectType === 'file' || keys.length > 1)) return { kind: 'file-name' }
  if (last !== undefined && FIELD_KINDS[last]) return FIELD_KINDS[last]
  // Any other string (a subject, a registry value, a custom property) is scrubbed like free text.
  return { kind: 'text' }
}

function rewriteLiteral(lit: Literal, kind: ValueKind, env: AnonymizeEnv): Literal {
  return lit.kind === 'string' ? { kind: 'string', value: anonymizeValue(kind, lit.value, env) } : lit
}

/** LIKE/MATCHES hold a pattern, not a value: a rewritten kind gets an opaque keyed literal matching nothing real. */
function rewriteWildcard(cmp: ComparisonNode, lit: Literal, env: AnonymizeEnv): ComparisonNode {
  if (lit.kind !== 'string') return cmp
  const opaque = `${env.p.label('pattern', lit.value)}.invalid`
  return {
    ...cmp,
    value: { kind: 'string', value: cmp.operator === 'MATCHES' ? `^${opaque.replace('.', '\\.')}$` : opaque },
  }
}

function rewriteComparison(cmp: ComparisonNode, env: AnonymizeEnv): ComparisonNode {
  const value = cmp.value
  if (value === undefined) return cmp
  const sample = value.kind === 'set' ? value.values.find((v) => v.kind === 'string') : value
  if (sample === undefined || sample.kind !== 'string') return cmp
  if (value.kind === 'set') {
    // Each element gets the kind of its own shape: a set may mix a domain kept at low with an address.
    const values = value.values.map((v) => {
      if (v.kind !== 'string') return v
      const own = kindOfPath(cmp.path, v.value)
      return isRewritten(own, env) ? rewriteLiteral(v, own, env) : v
    })
    return { ...cmp, value: { kind: 'set', values } }
  }
  const kind = kindOfPath(cmp.path, sample.value)
  if (!isRewritten(kind, env)) return cmp
  // A wildcard over free text keeps its shape with the values in it replaced; over a value it cannot.
  if (cmp.operator === 'LIKE' || cmp.operator === 'MATCHES')
    return kind.kind === 'text' ? { ...cmp, value: rewriteLiteral(value, kind, env) } : rewriteWildcard(cmp, value, env)
  if ((kind.kind === 'ipv4' || kind.kind === 'ipv6') && value.kind === 'string') {
    const ip = anonymizeIpKind(kind.kind, value.value, env)
    const equality = cmp.operator === '=' || cmp.operator === '!='
    if (!ip.network || !equality) return { ...cmp, value: { kind: 'string', value: ip.value } }
    return {
      ...cmp,
      operator: 'ISSUBSET',
      negated: cmp.negated !== (cmp.operator === '!='),
      value: { kind: 'string', value: ip.value },
    }
  }
  return { ...cmp, value: rewriteLiteral(value, kind, env) }
}

/** Throws PatternSyntaxError when the input is not a valid pattern; the caller decides to withhold. */
export function anonymizePattern(pattern: string, env: AnonymizeEnv): string {
  return formatPattern(mapComparisons(parsePattern(pattern), (cmp) => rewriteComparison(cmp, env)))
}
