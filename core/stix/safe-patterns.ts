import type { RegExpEngine, RegExpLike } from 'ajv/dist/types/index.js'

/**
 * Four OASIS schema patterns backtrack catastrophically in JavaScript's RegExp; measured on one core, a
 * hostile value of each blocks the event loop: `type` (exponential: 28 letters and a "!" take 2 s, 40 would
 * take hours) and the same shape in the `extensions` key pattern, software `languages` (20,000 "-abcde" segments: 7 s) and the ipv6-addr `value` (100,000
 * "s" after a zone "%": 18 s). The schema files stay byte-identical to OASIS (schemas-copy.test.ts); the
 * validator compiles these patterns through {@link safeRegExp} instead.
 */

// `([a-z][a-z0-9]*)+` matches exactly what `[a-z][a-z0-9]*` matches, without the nested quantifier.
const REWRITTEN = new Map([
  ['^([a-z][a-z0-9]*)+(-[a-z0-9]+)*\\-?$', '^[a-z][a-z0-9]*(-[a-z0-9]+)*-?$'],
  // The `extensions` keys of core.json and cyber-observable-core.json (patternProperties).
  ['^([a-z][a-z0-9]*)+(-[a-z0-9]+)*\\-ext$', '^[a-z][a-z0-9]*(-[a-z0-9]+)*-ext$'],
])

// Polynomial patterns are kept, on values no longer than any real one: a language tag (RFC 5646 asks
// implementations to support 35 characters) or an IPv6 address with a zone and a prefix length.
const LENGTH_CAPPED: [prefix: string, maxLength: number][] = [
  ['^([a-z]{2}(-[A-Z]{2})?(-[a-z]{4})?', 256],
  ['^s*((([0-9A-Fa-f]{1,4}:){7}', 256],
]

function capped(regExp: RegExp, maxLength: number): RegExpLike {
  // Ajv keys compiled patterns by toString(): keep the original's.
  const like = { test: (s: string) => s.length <= maxLength && regExp.test(s), toString: () => regExp.toString() }
  return like
}

/** Ajv's `code.regExp`: `new RegExp`, except for the patterns above. */
export const safeRegExp: RegExpEngine = Object.assign(
  (pattern: string, flags: string): RegExpLike => {
    const regExp = new RegExp(REWRITTEN.get(pattern) ?? pattern, flags)
    const cap = LENGTH_CAPPED.find(([prefix]) => pattern.startsWith(prefix))
    return cap ? capped(regExp, cap[1]) : regExp
  },
  // Only read when generating standalone validation code, which this module does not do.
  { code: 'safeRegExp' },
)
