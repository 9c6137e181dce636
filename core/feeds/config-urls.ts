import type { EgressPolicy } from '../plugin-api/egress-policy.js'
import type { ConfigProblem } from './feed-config.js'

/**
 * Problems of the http(s) URLs anywhere in a feed's config whose host is a literal address the egress policy
 * refuses (`http://127.0.0.1/…`, `http://[::ffff:10.0.0.1]/…`): refused when the feed is saved, with the
 * property's path. Host names are left to the run: what they resolve to is only known when connecting.
 */
export function literalUrlProblems(policy: EgressPolicy, value: unknown, at = '/config'): ConfigProblem[] {
  if (typeof value === 'string') {
    if (!/^https?:\/\//i.test(value) || !URL.canParse(value)) return []
    const problem = policy.urlProblem(new URL(value))
    return problem ? [{ path: at, message: `refused by the egress policy: ${problem}` }] : []
  }
  if (value === null || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([key, item]) => literalUrlProblems(policy, item, `${at}/${key}`))
}
