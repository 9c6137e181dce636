import { anonymizePersonName } from './email.js'
import { anonymizeExternalReferences } from './external-references.js'
import { anonymizeHashes } from './hash.js'
import type { AnonymizeEnv } from './policy.js'
import { mapId } from './refs.js'
import { ADDRESS_HEADER, isRefKey, PERSON_KEY, PREDEFINED_EXTENSIONS, ruleOf, type Rule } from './rules.js'
import { scrubText } from './text.js'
import { anonymizeValue } from './values.js'

/** Returned by a rewrite to say "leave this property (or list element) out". */
export const DROP: unique symbol = Symbol('drop')
export type Rewritten = unknown | typeof DROP

/**
 * Stored objects are bounded by the store's depth limit, but egress must not trust that: deeper data (stored
 * before the limit, or by a strategy's caller) withholds the object instead of overflowing the stack.
 */
export const MAX_DEPTH = 100

export class TooDeepError extends Error {
  constructor() {
    super(`object nested deeper than ${MAX_DEPTH} levels`)
  }
}

/**
 * Where a value sits: under a STIX-defined property, under a custom one (`x_…`, unknown names, custom
 * extensions), anywhere below a custom key that names a person (`x_contact`), where every string and every
 * key that is not a plain field name is a person's name, or in e-mail headers (address headers name people).
 */
export type Context = 'stix' | 'custom' | 'person' | 'headers'

/** A field name (`name`, `email_address`) in a person subtree: kept; anything else there is pseudonymized. */
const FIELD_NAME = /^[a-z][a-z0-9_]{0,63}$/

/** A STIX identifier: what a reference holds, mapped (an SCO's id derives from its value). */
const STIX_ID = /^[a-z0-9-]+--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
/** A timestamp: kept without a scan. */
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z$/

function rewriteString(
  rule: Rule | undefined,
  key: string,
  value: string,
  env: AnonymizeEnv,
  context: Context,
): Rewritten {
  if (context === 'person' || (context === 'custom' && PERSON_KEY.test(key))) return anonymizePersonName(value, env)
  if (context === 'headers' && ADDRESS_HEADER.test(key)) return anonymizePersonName(value, env)
  switch (rule) {
    case 'keep':
      if (TIMESTAMP.test(value)) return value
      return STIX_ID.test(value) ? mapId(value, env) : scrubText(value, env)
    case 'ref':
      // A reference property holding anything but an id is text like any other.
      if (STIX_ID.test(value)) return mapId(value, env)
      return env.policy.dropFreeText ? DROP : scrubText(value, env)
    case 'person':
      return anonymizePersonName(value, env)
    case 'drop':
      return DROP
    case 'prose':
    case undefined:
      return env.policy.dropFreeText ? DROP : scrubText(value, env)
    default:
      if (typeof rule === 'object') return anonymizeValue(rule.value, value, env)
      return scrubText(value, env)
  }
}

function rewriteList(
  rule: Rule | undefined,
  key: string,
  list: readonly unknown[],
  env: AnonymizeEnv,
  depth: number,
  context: Context,
): Rewritten {
  const out: unknown[] = []
  for (const item of list) {
    const rewritten =
      typeof item === 'string'
        ? rewriteString(rule, key, item, env, context)
        : rewriteNested(key, item, env, depth + 1, context)
    if (rewritten !== DROP) out.push(rewritten)
  }
  // STIX lists are never empty; a list whose every element was dropped goes as a whole.
  if (out.length === 0 && list.length > 0) return DROP
  // Several identities collapsing into the anonymous one would repeat it; refs lists are sets.
  return rule === 'ref' && env.policy.anonymousIdentity ? [...new Set(out)] : out
}

/** A dictionary or a nested object: keys are scrubbed like values (they are data as often as names). */
function rewriteDictionary(
  dict: Record<string, unknown>,
  env: AnonymizeEnv,
  depth: number,
  context: Context,
): Rewritten {
  const out: Record<string, unknown> = {}
  let kept = 0
  for (const [key, item] of Object.entries(dict)) {
    const rewritten = rewriteNested(key, item, env, depth + 1, context)
    if (rewritten === DROP) continue
    out[rewriteKey(key, env, context)] = rewritten
    kept += 1
  }
  return kept === 0 && Object.keys(dict).length > 0 ? DROP : out
}

function rewriteKey(key: string, env: AnonymizeEnv, context: Context): string {
  if (isRefKey(key)) return key
  if (context === 'person' && !FIELD_NAME.test(key)) return anonymizePersonName(key, env)
  return scrubText(key, env)
}

/** Extensions: predefined SCO extensions follow the table; extension-defined (custom) ones go from high. */
function rewriteExtensions(extensions: Record<string, unknown>, env: AnonymizeEnv, depth: number): Rewritten {
  const out: Record<string, unknown> = {}
  for (const [name, body] of Object.entries(extensions)) {
    const custom = !PREDEFINED_EXTENSIONS.has(name)
    if (custom && env.policy.dropCustomProperties) continue
    const rewritten = rewriteNested(name, body, env, depth + 1, custom ? 'custom' : 'stix')
    if (rewritten !== DROP) out[scrubText(name, env)] = rewritten
  }
  return Object.keys(out).length ? out : DROP
}

/** Rewrites the value of property `key` at any depth by the rule of its name (rules.ts) and its context. */
export function rewriteNested(
  key: string,
  value: unknown,
  env: AnonymizeEnv,
  depth: number,
  context: Context,
): Rewritten {
  if (depth > MAX_DEPTH) throw new TooDeepError()
  const rule = ruleOf(key)
  if (typeof value === 'string') return rewriteString(rule, key, value, env, context)
  if (value === null || typeof value !== 'object') return value
  if (context === 'person' || (context === 'headers' && ADDRESS_HEADER.test(key))) {
    return Array.isArray(value)
      ? rewriteList(undefined, key, value, env, depth, 'person')
      : rewriteDictionary(value as Record<string, unknown>, env, depth, 'person')
  }
  if (rule === 'drop' || (rule === 'prose' && env.policy.dropFreeText)) return DROP
  if (Array.isArray(value)) {
    if (rule === 'external-references') return anonymizeExternalReferences(value, env) ?? DROP
    return rewriteList(rule, key, value, env, depth, childContext(key, rule, context))
  }
  const dict = value as Record<string, unknown>
  if (rule === 'hashes') return anonymizeHashes(dict, env)
  if (rule === 'extensions') return rewriteExtensions(dict, env, depth)
  return rewriteDictionary(dict, env, depth, childContext(key, rule, context))
}

function childContext(key: string, rule: Rule | undefined, context: Context): Context {
  if (context === 'person') return 'person'
  if (key === 'additional_header_fields') return 'headers'
  if (context === 'custom' && PERSON_KEY.test(key)) return 'person'
  return context === 'custom' || rule === undefined ? 'custom' : 'stix'
}
