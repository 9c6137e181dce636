import type { ErrorObject } from 'ajv/dist/2020.js'

/** One validation problem: a JSON pointer into the validated value and a readable message. */
export interface ValidationIssue {
  path: string
  message: string
}

/** Messages for the OASIS schemas' named pattern types, instead of echoing the regex. */
const PATTERN_MESSAGES: Record<string, string> = {
  timestamp: 'must be an RFC 3339 UTC timestamp such as 2016-05-12T08:17:27.000Z',
  timestamp_millis: 'must be precise to at least milliseconds, such as 2016-05-12T08:17:27.000Z',
  identifier: 'must be an identifier of the form <type>--<UUID>',
  hex: 'must be an even number of hexadecimal digits',
  binary: 'must be base64 encoded',
}

/** Keywords that only summarise errors of their subschemas. */
const SUMMARY_KEYWORDS = new Set(['anyOf', 'oneOf', 'if', 'allOf'])

const RESERVED_PROPERTIES = ['severity', 'action', 'username', 'phone_numbers']

function toIssue(error: ErrorObject): ValidationIssue {
  const path = error.instancePath
  const params: Record<string, unknown> = error.params
  switch (error.keyword) {
    case 'required':
      return { path: `${path}/${String(params.missingProperty)}`, message: error.message ?? 'is required' }
    case 'additionalProperties':
      return {
        path: `${path}/${String(params.additionalProperty)}`,
        message: 'is not an allowed property name (custom properties must match ^[a-z][a-z0-9_]{2,249}$)',
      }
    case 'pattern': {
      const title: unknown = error.parentSchema?.title
      const id = /^\^([a-z0-9-]+--)$/.exec(String(params.pattern))
      if (id) return { path, message: `must start with "${id[1]}"` }
      return {
        path,
        message: (typeof title === 'string' ? PATTERN_MESSAGES[title] : undefined) ?? error.message ?? 'is invalid',
      }
    }
    case 'not': {
      const data = error.data
      const reserved = typeof data === 'object' && data !== null && RESERVED_PROPERTIES.find((name) => name in data)
      if (reserved) return { path: `${path}/${reserved}`, message: 'is a reserved property name' }
      return { path, message: error.message ?? 'is invalid' }
    }
    case 'enum':
      return { path, message: mergedMessage('enum', [allowedValues(params)]) }
    default:
      return { path, message: error.message ?? 'is invalid' }
  }
}

/**
 * For each failed anyOf/oneOf keeps only the branch with the fewest errors: the branch the author
 * most likely meant. When every branch failed only on `type` they are all kept, so the merge in
 * describeAjvErrors can say "must be string or integer".
 */
function pruneLosingBranches(errors: readonly ErrorObject[]): ErrorObject[] {
  const dropped = new Set<ErrorObject>()
  for (const summary of errors) {
    if (summary.keyword !== 'anyOf' && summary.keyword !== 'oneOf') continue
    const prefix = `${summary.schemaPath}/`
    const branches = new Map<string, ErrorObject[]>()
    for (const e of errors) {
      if (dropped.has(e) || !e.schemaPath.startsWith(prefix)) continue
      if (!e.instancePath.startsWith(summary.instancePath)) continue
      const branch = e.schemaPath.slice(prefix.length).split('/')[0]
      branches.set(branch, [...(branches.get(branch) ?? []), e])
    }
    const all = [...branches.values()]
    if (all.length < 2 || all.every((b) => b.every((e) => e.keyword === 'type'))) continue
    const best = all.reduce((a, b) => (b.length < a.length ? b : a))
    for (const branch of all) if (branch !== best) branch.forEach((e) => dropped.add(e))
  }
  return errors.filter((e) => !dropped.has(e))
}

/**
 * Turns Ajv's raw errors into a short list: losing anyOf/oneOf branches and the summaries
 * themselves are dropped, per-branch `type`/`enum` errors of one property are merged into a
 * single message, and duplicates (the same check reached through several $refs) are removed.
 */
export function describeAjvErrors(errors: readonly ErrorObject[]): ValidationIssue[] {
  const pruned = pruneLosingBranches(errors)
  const specific = pruned.filter((e) => !SUMMARY_KEYWORDS.has(e.keyword))
  const issues: ValidationIssue[] = []
  const merged = new Map<string, { issue: ValidationIssue; values: string[] }>()
  const seen = new Set<string>()
  for (const error of specific.length > 0 ? specific : pruned) {
    // Alternatives reached through several branches ("must be string", "must be integer", or one
    // enum per TLP level) become one issue listing every accepted alternative.
    const alternative = mergeableValue(error)
    const mergeKey = `${error.keyword}\u0000${error.instancePath}`
    const previous = alternative === undefined ? undefined : merged.get(mergeKey)
    if (previous && alternative !== undefined) {
      if (!previous.values.includes(alternative)) previous.values.push(alternative)
      previous.issue.message = mergedMessage(error.keyword, previous.values)
      continue
    }
    const issue = toIssue(error)
    const key = `${issue.path}\u0000${issue.message}`
    if (seen.has(key)) continue
    seen.add(key)
    issues.push(issue)
    if (alternative !== undefined) merged.set(mergeKey, { issue, values: [alternative] })
  }
  return issues
}

function mergeableValue(error: ErrorObject): string | undefined {
  if (error.keyword === 'type') return String(error.params.type)
  if (error.keyword === 'enum') return allowedValues(error.params)
  return undefined
}

/** An `enum` error's accepted values as JSON, comma-separated. */
function allowedValues(params: Record<string, unknown>): string {
  const values = params.allowedValues
  return Array.isArray(values) ? values.map((v) => JSON.stringify(v)).join(', ') : String(values)
}

function mergedMessage(keyword: string, values: string[]): string {
  return keyword === 'type' ? `must be ${values.join(' or ')}` : `must be one of [${values.join(', ')}]`
}
