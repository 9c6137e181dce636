import { loadConfig } from '../../config/load.js'
import { createEgressPolicy } from '../plugin-api/egress-policy.js'
import { createHttpClient } from '../plugin-api/http-client.js'
import { discoverTaxii, type Discovery } from '../feeds/taxii-discovery.js'
import { errorMessage } from '../infra/errors.js'
import { parseArgs, UsageError } from './args.js'
import type { Command } from './commands.js'

function authHeaders(flags: Record<string, string | true>): Record<string, string> {
  if (flags['api-key'] !== undefined && (flags.user !== undefined || flags.password !== undefined))
    throw new UsageError('give either --api-key or --user and --password')
  if (typeof flags['api-key'] === 'string') return { authorization: `Bearer ${flags['api-key']}` }
  if ((flags.user === undefined) !== (flags.password === undefined))
    throw new UsageError('--user and --password go together')
  if (typeof flags.user === 'string')
    return { authorization: `Basic ${Buffer.from(`${flags.user}:${flags.password}`).toString('base64')}` }
  return {}
}

function format(d: Discovery): string {
  const lines = [d.title ? `TAXII server: ${d.title}` : 'TAXII api root']
  for (const root of d.apiRoots) {
    lines.push('', `api root ${root.url}${root.title ? `  (${root.title})` : ''}`)
    if (root.error) lines.push(`  cannot list collections: ${root.error}`)
    else if (!root.collections.length) lines.push('  no collections visible with these credentials')
    for (const c of root.collections) {
      lines.push(
        `  collection ${c.id}  "${c.title}"  read: ${c.canRead ? 'yes' : 'no'}  write: ${c.canWrite ? 'yes' : 'no'}`,
      )
      lines.push(`    taxii21 feed: {"collectionUrl": "${c.collectionUrl}"}`)
    }
  }
  return lines.join('\n')
}

/**
 * `crisp taxii discover <url>`: the api roots and collections of a TAXII 2.1 server, with the `collectionUrl`
 * a taxii21 feed needs. Requests go through the platform's HTTP client under its egress policy, exactly as a
 * feed's would: a server a feed may not reach is refused here too (CRISP_FEED_ALLOW_PRIVATE admits it).
 */
export const taxiiDiscover: Command = {
  summary: "List a TAXII 2.1 server's api roots and collections (with the collectionUrl a taxii21 feed needs)",
  usage:
    'crisp taxii discover <discovery-or-api-root-url> [--user <name> --password <password> | --api-key <key>] [--timeout <seconds>]',
  async run(argv) {
    const { positionals, flags } = parseArgs(argv, { values: ['user', 'password', 'api-key', 'timeout'] })
    if (positionals.length !== 1) throw new UsageError('taxii discover needs exactly one URL')
    if (!/^https?:\/\//.test(positionals[0])) throw new UsageError(`not an http(s) URL: ${positionals[0]}`)
    const timeout = flags.timeout === undefined ? 120 : Number(flags.timeout)
    if (!Number.isFinite(timeout) || timeout <= 0)
      throw new UsageError('--timeout must be a positive number of seconds')
    const headers = authHeaders(flags)
    const config = loadConfig()
    const http = createHttpClient({ policy: createEgressPolicy({ allowPrivate: config.egress.allowPrivate }) })
    try {
      const discovery = await discoverTaxii({
        http,
        url: positionals[0],
        headers,
        timeoutMs: timeout * 1000,
        signal: new AbortController().signal,
      })
      console.log(format(discovery))
      return discovery.apiRoots.some((r) => r.error) ? 1 : 0
    } catch (err) {
      console.error(`crisp: ${errorMessage(err)}`)
      return 1
    }
  },
}
