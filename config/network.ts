import { createPrivateKey, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parseCidr } from '../core/plugin-api/ip-address.js'
import { errorCode, errorMessage } from '../core/plugin-api/thrown.js'
import type { Env } from './env-schema.js'

/** How CRISP meets the network: proxies it believes, TLS, the hosts it answers for, where the console lives. */
export interface NetworkConfig {
  /**
   * Fastify's `trustProxy`: false (X-Forwarded-* ignored), a hop count, or the proxies' addresses and ranges.
   * Decides `req.ip` (limits, audit), `req.protocol` (Secure cookies) and `req.host` (allowed hosts, CSRF).
   */
  trustProxy: false | number | string[]
  /** PEM certificate and key, read at boot; undefined = plain HTTP. */
  tls: { cert: string; key: string } | undefined
  /** Plain-HTTP port that redirects to PUBLIC_URL (only with TLS). */
  httpRedirectPort: number | undefined
  /** Lower-case `host` or `host:port` entries; empty = any host. */
  allowedHosts: string[]
  /** The console's mount path (`/admin` by default). */
  adminPath: string
}

/** Names proxy-addr knows besides addresses and CIDRs. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal'])
/** First path segments the platform itself serves: the console cannot live there. */
const RESERVED_SEGMENTS = new Set(['api', 'taxii2', 'docs', 'healthz', 'readyz', 'metrics', 'refresh-token'])
const HOST_ENTRY =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)

function resolveTrustProxy(value: string, problems: string[]): NetworkConfig['trustProxy'] {
  const text = value.trim()
  if (text === '') return false
  if (/^\d+$/.test(text)) {
    const hops = Number(text)
    if (hops >= 1 && hops <= 10) return hops
    problems.push(`CRISP_TRUST_PROXY: a hop count must be from 1 to 10 (got ${text}); leave it empty to trust no proxy`)
    return false
  }
  const entries = list(text)
  for (const entry of entries) {
    if (NAMED_RANGES.has(entry)) continue
    const parsed = /[[\]%]/.test(entry) ? 'write addresses without brackets or zone' : parseCidr(entry)
    if (typeof parsed === 'string') {
      problems.push(
        `CRISP_TRUST_PROXY: "${entry}": ${parsed}; expected a hop count or comma-separated IPs/CIDRs (or loopback, linklocal, uniquelocal)`,
      )
    }
  }
  return entries
}

function readPem(variable: string, file: string, problems: string[]): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch (err) {
    problems.push(`${variable}: cannot read ${file}: ${errorCode(err) ?? errorMessage(err)}`)
    return undefined
  }
}

function resolveTls(env: Env, cwd: string, problems: string[]): NetworkConfig['tls'] {
  const certFile = env.CRISP_TLS_CERT && path.resolve(cwd, env.CRISP_TLS_CERT)
  const keyFile = env.CRISP_TLS_KEY && path.resolve(cwd, env.CRISP_TLS_KEY)
  if (!certFile && !keyFile) return undefined
  if (!certFile || !keyFile) {
    problems.push(
      `${certFile ? 'CRISP_TLS_KEY' : 'CRISP_TLS_CERT'}: required with ${certFile ? 'CRISP_TLS_CERT' : 'CRISP_TLS_KEY'} (set both for https, or neither)`,
    )
    return undefined
  }
  const cert = readPem('CRISP_TLS_CERT', certFile, problems)
  const key = readPem('CRISP_TLS_KEY', keyFile, problems)
  if (cert === undefined || key === undefined) return undefined
  let x509: X509Certificate | undefined
  try {
    x509 = new X509Certificate(cert)
  } catch {
    problems.push(`CRISP_TLS_CERT: ${certFile} is not a PEM certificate`)
  }
  try {
    const privateKey = createPrivateKey(key)
    if (x509 && !x509.checkPrivateKey(privateKey))
      problems.push(`CRISP_TLS_KEY: ${keyFile} is not the private key of the certificate in ${certFile}`)
  } catch {
    problems.push(`CRISP_TLS_KEY: ${keyFile} is not a PEM private key (or it is encrypted)`)
  }
  return { cert, key }
}

function resolveAllowedHosts(value: string, problems: string[]): string[] {
  const entries = list(value).map((s) => s.toLowerCase())
  for (const entry of entries) {
    if (!HOST_ENTRY.test(entry))
      problems.push(`CRISP_ALLOWED_HOSTS: "${entry}" is not a host name or host:port (no scheme, path or wildcard)`)
  }
  return entries
}

function resolveAdminPath(value: string, problems: string[]): string {
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(value) || /(^|\/)\.{1,2}(\/|$)/.test(value)) {
    problems.push(
      `CRISP_ADMIN_PATH: "${value}" must start with "/", have no trailing slash and only letters, digits and . _ ~ - in its segments (e.g. /admin, /ops/console)`,
    )
  } else if (RESERVED_SEGMENTS.has(value.split('/')[1].toLowerCase())) {
    problems.push(`CRISP_ADMIN_PATH: "${value}" collides with the platform's own /${value.split('/')[1]}`)
  }
  return value
}

/** Reads the network settings, adding one problem per bad variable (each named). */
export function resolveNetwork(options: { env: Env; cwd: string; problems: string[] }): NetworkConfig {
  const { env, cwd, problems } = options
  const tls = resolveTls(env, cwd, problems)
  const httpRedirectPort = env.CRISP_HTTP_REDIRECT_PORT
  if (httpRedirectPort !== undefined) {
    if (!env.CRISP_TLS_CERT && !env.CRISP_TLS_KEY)
      problems.push(
        'CRISP_HTTP_REDIRECT_PORT: only with CRISP_TLS_CERT and CRISP_TLS_KEY (the redirect goes to the https server)',
      )
    else if (httpRedirectPort === env.PORT)
      problems.push(`CRISP_HTTP_REDIRECT_PORT: must differ from PORT (${env.PORT})`)
    if (env.PUBLIC_URL?.startsWith('http://'))
      problems.push(`CRISP_HTTP_REDIRECT_PORT: redirects to PUBLIC_URL, which is not https (${env.PUBLIC_URL})`)
  }
  return {
    trustProxy: resolveTrustProxy(env.CRISP_TRUST_PROXY, problems),
    tls,
    httpRedirectPort,
    allowedHosts: resolveAllowedHosts(env.CRISP_ALLOWED_HOSTS, problems),
    adminPath: resolveAdminPath(env.CRISP_ADMIN_PATH, problems),
  }
}
