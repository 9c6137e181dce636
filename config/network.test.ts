import t from 'tap'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadConfig, ConfigError } from './load.js'

const ROOT = path.resolve(import.meta.dirname, '..')
const base = (extra: Record<string, string> = {}) => ({
  CRISP_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'crisp-cfg-')),
  CRISP_PLUGINS_FILE: path.join(ROOT, 'config', 'plugins.json'),
  ...extra,
})
const problemsOf = (env: Record<string, string>) =>
  (t.throws(() => loadConfig(base(env), ROOT)) as ConfigError).problems

function keyPair(dir: string, name: string): { cert: string; key: string } {
  const cert = path.join(dir, `${name}-cert.pem`)
  const key = path.join(dir, `${name}-key.pem`)
  execFileSync(
    '/usr/bin/openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  )
  return { cert, key }
}

t.test('defaults: trust no proxy, no TLS, any host, console at /admin', async (t) => {
  t.same(loadConfig(base(), ROOT).network, {
    trustProxy: false,
    tls: undefined,
    httpRedirectPort: undefined,
    allowedHosts: [],
    adminPath: '/admin',
  })
})

t.test('CRISP_TRUST_PROXY: a hop count or a list of addresses and ranges', async (t) => {
  t.equal(loadConfig(base({ CRISP_TRUST_PROXY: '2' }), ROOT).network.trustProxy, 2)
  t.same(loadConfig(base({ CRISP_TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,::1,loopback' }), ROOT).network.trustProxy, [
    '10.0.0.1',
    '192.168.0.0/16',
    '::1',
    'loopback',
  ])
  t.same(problemsOf({ CRISP_TRUST_PROXY: '0' }), [
    'CRISP_TRUST_PROXY: a hop count must be from 1 to 10 (got 0); leave it empty to trust no proxy',
  ])
  t.same(problemsOf({ CRISP_TRUST_PROXY: '10.0.0.1,true,10.0.0.0/40' }), [
    'CRISP_TRUST_PROXY: "true": not an IP address or CIDR range (address/prefix); expected a hop count or comma-separated IPs/CIDRs (or loopback, linklocal, uniquelocal)',
    'CRISP_TRUST_PROXY: "10.0.0.0/40": the prefix must be a number from 0 to 32; expected a hop count or comma-separated IPs/CIDRs (or loopback, linklocal, uniquelocal)',
  ])
})

t.test(
  'TLS: both files or neither, readable, PEM, a matching pair; https becomes the default PUBLIC_URL',
  async (t) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'crisp-tls-cfg-'))
    const one = keyPair(dir, 'one')
    const two = keyPair(dir, 'two')
    const garbage = path.join(dir, 'garbage.pem')
    writeFileSync(garbage, 'not a pem\n')
    const config = loadConfig(base({ CRISP_TLS_CERT: one.cert, CRISP_TLS_KEY: one.key }), ROOT)
    t.match(config.network.tls, { cert: /BEGIN CERTIFICATE/, key: /PRIVATE KEY/ })
    t.equal(config.publicUrl, 'https://127.0.0.1:3000')
    t.same(problemsOf({ CRISP_TLS_CERT: one.cert }), [
      'CRISP_TLS_KEY: required with CRISP_TLS_CERT (set both for https, or neither)',
    ])
    t.same(problemsOf({ CRISP_TLS_KEY: one.key }), [
      'CRISP_TLS_CERT: required with CRISP_TLS_KEY (set both for https, or neither)',
    ])
    t.same(problemsOf({ CRISP_TLS_CERT: path.join(dir, 'nope.pem'), CRISP_TLS_KEY: one.key }), [
      `CRISP_TLS_CERT: cannot read ${path.join(dir, 'nope.pem')}: ENOENT`,
    ])
    t.same(problemsOf({ CRISP_TLS_CERT: garbage, CRISP_TLS_KEY: garbage }), [
      `CRISP_TLS_CERT: ${garbage} is not a PEM certificate`,
      `CRISP_TLS_KEY: ${garbage} is not a PEM private key (or it is encrypted)`,
    ])
    t.same(problemsOf({ CRISP_TLS_CERT: one.cert, CRISP_TLS_KEY: two.key }), [
      `CRISP_TLS_KEY: ${two.key} is not the private key of the certificate in ${one.cert}`,
    ])
    t.same(problemsOf({ CRISP_TLS_CERT: one.cert, CRISP_TLS_KEY: one.key, CRISP_HTTP_REDIRECT_PORT: '3000' }), [
      'CRISP_HTTP_REDIRECT_PORT: must differ from PORT (3000)',
    ])
    t.equal(
      loadConfig(base({ CRISP_TLS_CERT: one.cert, CRISP_TLS_KEY: one.key, CRISP_HTTP_REDIRECT_PORT: '8080' }), ROOT)
        .network.httpRedirectPort,
      8080,
    )
  },
)

t.test('CRISP_HTTP_REDIRECT_PORT needs TLS and an https PUBLIC_URL', async (t) => {
  t.same(problemsOf({ CRISP_HTTP_REDIRECT_PORT: '8080', PUBLIC_URL: 'http://crisp.example' }), [
    'CRISP_HTTP_REDIRECT_PORT: only with CRISP_TLS_CERT and CRISP_TLS_KEY (the redirect goes to the https server)',
    'CRISP_HTTP_REDIRECT_PORT: redirects to PUBLIC_URL, which is not https (http://crisp.example)',
  ])
  t.match(problemsOf({ CRISP_HTTP_REDIRECT_PORT: 'eighty' }), [/^CRISP_HTTP_REDIRECT_PORT: /])
})

t.test('CRISP_ALLOWED_HOSTS: host names or host:port, lower-cased; anything else named', async (t) => {
  t.same(
    loadConfig(base({ CRISP_ALLOWED_HOSTS: 'CRISP.example.org, crisp.example.org:8443,127.0.0.1,[::1]:3000' }), ROOT)
      .network.allowedHosts,
    ['crisp.example.org', 'crisp.example.org:8443', '127.0.0.1', '[::1]:3000'],
  )
  t.same(problemsOf({ CRISP_ALLOWED_HOSTS: 'https://crisp.example.org,*.example.org,ok.example' }), [
    'CRISP_ALLOWED_HOSTS: "https://crisp.example.org" is not a host name or host:port (no scheme, path or wildcard)',
    'CRISP_ALLOWED_HOSTS: "*.example.org" is not a host name or host:port (no scheme, path or wildcard)',
  ])
})

t.test('CRISP_ADMIN_PATH: a clean path that does not shadow the API, TAXII or docs', async (t) => {
  t.equal(loadConfig(base({ CRISP_ADMIN_PATH: '/ops/console' }), ROOT).network.adminPath, '/ops/console')
  for (const bad of ['admin', '/admin/', '/', '/a b', '/ops//console', '/..', '/admin?x']) {
    t.match(
      problemsOf({ CRISP_ADMIN_PATH: bad }),
      [/^CRISP_ADMIN_PATH: .* must start with "\/", have no trailing slash/],
      JSON.stringify(bad),
    )
  }
  for (const taken of ['/api', '/taxii2/admin', '/docs', '/healthz', '/API']) {
    t.same(
      problemsOf({ CRISP_ADMIN_PATH: taken }),
      [`CRISP_ADMIN_PATH: "${taken}" collides with the platform's own /${taken.split('/')[1]}`],
      taken,
    )
  }
})

t.test('every bad network variable is named at once', async (t) => {
  const problems = problemsOf({
    CRISP_TRUST_PROXY: 'proxy',
    CRISP_TLS_CERT: '/nonexistent.pem',
    CRISP_ALLOWED_HOSTS: 'a/b',
    CRISP_ADMIN_PATH: '/docs',
  })
  t.same(
    problems.map((p) => p.split(':')[0]),
    ['CRISP_TLS_KEY', 'CRISP_TRUST_PROXY', 'CRISP_ALLOWED_HOSTS', 'CRISP_ADMIN_PATH'],
  )
})
