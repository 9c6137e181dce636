import { isIPv4, isIPv6 } from 'node:net'
import { VALUE_KINDS, type ObservableValue } from '../plugin-api/observable-values.js'
import { isJsonObject } from '../stix/json-object.js'
import { isOneOf } from '../model/one-of.js'

/** The observable kinds an event may carry: the kinds `observableValues` reads from shared intelligence. */
export const OBSERVABLE_TYPES = VALUE_KINDS satisfies readonly ObservableValue['kind'][]
export type ObservableType = (typeof OBSERVABLE_TYPES)[number]

export interface EventObservable {
  type: ObservableType
  value: string
}

export interface EventInput {
  source: string
  eventType: string
  severity: number
  description: string
  occurredAt: string
  observables: EventObservable[]
}

export const SEVERITY_NAMES = ['low', 'medium', 'high', 'critical'] as const
const MAX_OBSERVABLES = 100

const HEX_LENGTH: Partial<Record<ObservableType, number>> = { md5: 32, sha1: 40, sha256: 64, sha512: 128 }
const DOMAIN = /^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z][a-z0-9-]{0,62}$/i
const EMAIL = /^[^@\s]{1,64}@[^@\s]{1,253}$/

type Check<T> = { ok: true; value: T } | { ok: false; reason: string }
const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason })

function text(item: Record<string, unknown>, key: string, max: number, required: boolean): Check<string> {
  const v = item[key]
  if (v === undefined && !required) return { ok: true, value: '' }
  if (typeof v !== 'string' || (required && !v.trim())) return fail(`${key}: required, a non-empty string`)
  if (v.length > max) return fail(`${key}: at most ${max} characters`)
  if (v.includes('\u0000')) return fail(`${key}: contains U+0000`)
  return { ok: true, value: v }
}

/** 1–4, or a severity name (Low, Medium, High, Critical; any case). */
function parseSeverity(v: unknown): number | null {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 1 && v <= 4 ? v : null
  if (typeof v !== 'string') return null
  const name = v.toLowerCase()
  const byName = SEVERITY_NAMES.findIndex((n) => n === name)
  if (byName >= 0) return byName + 1
  return /^[1-4]$/.test(v) ? Number(v) : null
}

function observableValueError(type: ObservableType, value: string): string | null {
  if (type === 'ipv4-addr') return isIPv4(value) ? null : 'not an IPv4 address'
  if (type === 'ipv6-addr') return isIPv6(value) ? null : 'not an IPv6 address'
  if (type === 'domain-name') return DOMAIN.test(value) ? null : 'not a domain name'
  if (type === 'url') return URL.canParse(value) ? null : 'not an absolute URL'
  if (type === 'email-addr') return EMAIL.test(value) ? null : 'not an email address'
  const hex = HEX_LENGTH[type]
  if (hex) return new RegExp(`^[0-9a-f]{${hex}}$`, 'i').test(value) ? null : `not a ${type} hash (${hex} hex digits)`
  return value.length <= 1024 ? null : 'longer than 1024 characters'
}

function observables(v: unknown): Check<EventObservable[]> {
  if (v === undefined) return { ok: true, value: [] }
  if (!Array.isArray(v)) return fail('observables: must be a list')
  if (v.length > MAX_OBSERVABLES) return fail(`observables: at most ${MAX_OBSERVABLES}`)
  const out: EventObservable[] = []
  for (const [i, o] of v.entries()) {
    if (!isJsonObject(o)) return fail(`observables/${i}: must be an object { type, value }`)
    const extra = Object.keys(o).find((k) => k !== 'type' && k !== 'value')
    if (extra) return fail(`observables/${i}: unknown property ${extra}`)
    const { type, value: given } = o
    if (!isOneOf(OBSERVABLE_TYPES, type)) return fail(`observables/${i}/type: one of ${OBSERVABLE_TYPES.join(', ')}`)
    if (typeof given !== 'string' || !given) return fail(`observables/${i}/value: required, a non-empty string`)
    const error = observableValueError(type, given)
    if (error) return fail(`observables/${i}/value: ${error}`)
    // Hashes and domains compare case-insensitively; addresses, URLs and names as given.
    const value = HEX_LENGTH[type] || type === 'domain-name' ? given.toLowerCase() : given
    out.push({ type, value })
  }
  return { ok: true, value: out }
}

const FIELDS = new Set(['source', 'event_type', 'severity', 'description', 'occurred_at', 'observables'])

/** Checks one submitted event; the reason names the first bad field (`severity: …`). */
export function checkEventInput(o: unknown): Check<EventInput> {
  if (!isJsonObject(o)) return fail('an event must be a JSON object')
  const extra = Object.keys(o).find((k) => !FIELDS.has(k))
  if (extra) return fail(`${extra}: unknown property`)
  const source = text(o, 'source', 200, true)
  if (!source.ok) return source
  const eventType = text(o, 'event_type', 200, true)
  if (!eventType.ok) return eventType
  const description = text(o, 'description', 10_000, false)
  if (!description.ok) return description
  const severity = parseSeverity(o.severity)
  if (severity === null) return fail('severity: 1–4 or Low, Medium, High, Critical')
  if (
    typeof o.occurred_at !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/.test(o.occurred_at) ||
    Number.isNaN(Date.parse(o.occurred_at))
  ) {
    return fail('occurred_at: required, an RFC 3339 date-time')
  }
  const obs = observables(o.observables)
  if (!obs.ok) return obs
  return {
    ok: true,
    value: {
      source: source.value,
      eventType: eventType.value,
      severity,
      description: description.value,
      occurredAt: new Date(o.occurred_at).toISOString(),
      observables: obs.value,
    },
  }
}
