import { createHmac } from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { ALLOW_HINT, type EgressPolicy } from '../plugin-api/egress-policy.js'

export interface SignedPost {
  url: string
  body: string
  secret: string
  /** Extra headers (delivery id, event name). */
  headers: Record<string, string>
  policy: EgressPolicy
  timeoutMs: number
  signal?: AbortSignal
}

/** `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`: the receiver recomputes it to trust the body and its time. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

/**
 * The address to connect to: the host is resolved once, every address it has is checked against the egress
 * policy (the one feeds use), and the socket connects to the checked address itself — a name cannot resolve
 * to a public address for the check and to a private one for the connection.
 */
async function checkedAddress(url: URL, policy: EgressPolicy): Promise<string> {
  const problem = policy.urlProblem(url)
  if (problem) throw new Error(problem)
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const addresses = isIP(host) ? [{ address: host }] : await lookup(host, { all: true, verbatim: true })
  for (const { address } of addresses) {
    const reason = policy.refusal(address)
    if (reason) throw new Error(`${host} resolves to ${address}, ${reason}; ${ALLOW_HINT}`)
  }
  if (!addresses.length) throw new Error(`${host} does not resolve`)
  return addresses[0].address
}

/** POSTs a signed JSON body; resolves with the response status (no redirects followed), rejects on network errors. */
export async function postSigned(opts: SignedPost): Promise<number> {
  const url = new URL(opts.url)
  const address = await checkedAddress(url, opts.policy)
  const timestamp = String(Math.floor(Date.now() / 1000))
  const secure = url.protocol === 'https:'
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      {
        host: address,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        servername: secure && !isIP(url.hostname) ? url.hostname : undefined,
        headers: {
          ...opts.headers,
          host: url.host,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(opts.body),
          'user-agent': 'CRISP-webhook',
          'x-crisp-timestamp': timestamp,
          'x-crisp-signature': webhookSignature(opts.secret, timestamp, opts.body),
        },
        timeout: opts.timeoutMs,
        signal: opts.signal,
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
        res.on('error', reject)
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)))
    req.on('error', reject)
    req.end(opts.body)
  })
}
