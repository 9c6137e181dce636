/**
 * Indicator patterns carrying canaries: STIX patterns over the object paths the strategy classifies and over
 * paths it cannot know (free-text properties, custom objects), with every operator; and non-STIX patterns
 * (YARA, Snort, Sigma) whose text is opaque to a STIX parser.
 */
import { SPELLINGS, type CanaryKind } from './canaries.js'
import type { Planter } from './planter.js'

type Kind = Exclude<CanaryKind, 'sco-id'>
interface PathSpec {
  path: string
  /** Kinds a value at this path holds; 'text' = free text (any kind, any spelling). */
  kinds: readonly (Kind | 'text')[]
}

const PATHS: readonly PathSpec[] = [
  { path: 'ipv4-addr:value', kinds: ['ipv4'] },
  { path: 'ipv6-addr:value', kinds: ['ipv6'] },
  { path: 'domain-name:value', kinds: ['domain'] },
  { path: 'url:value', kinds: ['url'] },
  { path: 'email-addr:value', kinds: ['email'] },
  { path: 'email-message:from_ref.value', kinds: ['email'] },
  { path: 'email-message:sender_ref.value', kinds: ['email'] },
  { path: 'email-message:to_refs[*].value', kinds: ['email'] },
  { path: 'network-traffic:dst_ref.value', kinds: ['ipv4', 'ipv6', 'domain'] },
  { path: 'network-traffic:src_ref.value', kinds: ['ipv4', 'ipv6'] },
  { path: 'file:name', kinds: ['file'] },
  { path: "file:hashes.'SHA-256'", kinds: ['hash'] },
  { path: 'file:hashes.MD5', kinds: ['hash'] },
  { path: "file:hashes.'SHA-1'", kinds: ['hash'] },
  { path: 'file:parent_directory_ref.path', kinds: ['file'] },
  { path: 'directory:path', kinds: ['file'] },
  { path: 'artifact:url', kinds: ['url'] },
  { path: 'user-account:display_name', kinds: ['person'] },
  { path: 'email-addr:display_name', kinds: ['person'] },
  { path: 'user-account:account_login', kinds: ['email', 'person'] },
  { path: 'process:command_line', kinds: ['text'] },
  { path: 'email-message:subject', kinds: ['text'] },
  { path: 'x509-certificate:subject', kinds: ['text'] },
  { path: 'windows-registry-key:values[*].data', kinds: ['text'] },
  { path: 'software:name', kinds: ['text'] },
  { path: 'x-c4n4ry-tool:x_target', kinds: ['text'] },
]

const literal = (s: string) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
const regexEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

function constant(p: Planter, spec: PathSpec, position: string): string {
  const kind = p.d.pick(spec.kinds)
  if (kind === 'text') return p.freeText(position)
  // Values in structured paths are written as producers write them: as is, or upper-cased where it makes sense.
  return p.canary(
    kind,
    position,
    SPELLINGS[kind].filter((s) => s === 'plain' || s === 'upper'),
  )
}

function comparison(p: Planter, position: string): string {
  const spec = p.d.pick(PATHS)
  const ip = spec.kinds.includes('ipv4') || spec.kinds.includes('ipv6')
  const operators = ['=', '!=', 'IN', 'LIKE', 'MATCHES', ...(ip ? ['ISSUBSET'] : [])]
  const op = p.d.pick(operators)
  switch (op) {
    case 'IN':
      return `${spec.path} IN (${literal(constant(p, spec, position))}, ${literal(constant(p, spec, position))})`
    case 'LIKE':
      return `${spec.path} LIKE ${literal(`%${constant(p, spec, position)}%`)}`
    case 'MATCHES':
      return `${spec.path} MATCHES ${literal(`^${regexEscape(constant(p, spec, position))}$`)}`
    case 'ISSUBSET':
      return `${spec.path} ISSUBSET ${literal(`${constant(p, spec, position)}/${spec.kinds.includes('ipv4') ? 32 : 128}`)}`
    default:
      return `${spec.path} ${op} ${literal(constant(p, spec, position))}`
  }
}

function observation(p: Planter, position: string): string {
  let inner = comparison(p, position)
  for (let n = p.d.int(0, 2); n > 0; n--) inner += ` ${p.d.pick(['AND', 'OR'])} ${comparison(p, position)}`
  const qualifier = p.d.pick([
    '',
    ' WITHIN 300 SECONDS',
    ' REPEATS 2 TIMES',
    " START t'2024-01-01T00:00:00Z' STOP t'2024-02-01T00:00:00Z'",
  ])
  return `[${inner}]${qualifier}`
}

/** A STIX pattern (it parses with core/stix/pattern) of one to three observations. */
export function stixPattern(p: Planter, position: string): string {
  let pattern = observation(p, position)
  for (let n = p.d.int(0, 2); n > 0; n--)
    pattern += ` ${p.d.pick(['OR', 'AND', 'FOLLOWEDBY'])} ${observation(p, position)}`
  return pattern
}

/** A rule in another pattern language: opaque text to the platform. */
export function foreignPattern(p: Planter, patternType: string, position: string): string {
  const a = p.freeText(position)
  const b = p.freeText(position)
  const quote = (s: string) => s.replaceAll('"', "'").replaceAll('\n', ' ')
  switch (patternType) {
    case 'yara':
      return `rule c4n4ry_rule { strings: $a = "${quote(a)}" $b = "${quote(b)}" condition: any of them }`
    case 'snort':
    case 'suricata':
      return `alert tcp any any -> any any (msg:"${quote(a)}"; content:"${quote(b)}"; sid:1000001; rev:1;)`
    default:
      return `title: c4n4ry\ndetection:\n  selection:\n    - '${quote(a)}'\n    - '${quote(b)}'\n  condition: selection`
  }
}

/** Pattern languages an indicator may use; `stix` first (what shrinking falls back to). */
export const PATTERN_TYPES = ['stix', 'stix', 'yara', 'snort', 'sigma', 'suricata'] as const
