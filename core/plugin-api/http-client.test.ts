import { lookup } from 'node:dns/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import t from 'tap'
import { startFixtureServer } from '../../test/contract/feed-source.js'
import { createEgressPolicy } from './egress-policy.js'
import { createHttpClient, type Resolver } from './http-client.js'
import type { HttpResponse } from './http.js'

// Only 127.0.0.1 and 127.0.0.2 are ever connected to: made-up names resolve through `fakeDns`.
const trapRequests: string[] = []
const trap = createServer((req, res) => (trapRequests.push(req.url ?? ''), res.end('secret')))
await new Promise<void>((resolve) => trap.listen(0, '127.0.0.2', resolve))
const trapPort = (trap.address() as AddressInfo).port
t.teardown(() => new Promise((resolve) => trap.close(resolve)))

const other = await startFixtureServer((_req, res) => void res.end('other'))
t.teardown(() => other.close())
const main = await startFixtureServer((req, res) => {
  const redirect = (status: number, location: string) => void res.writeHead(status, { location }).end()
  switch (new URL(req.url ?? '/', 'http://x').pathname) {
    case '/ok':
      return void res.end('ok')
    case '/gzip':
      return void res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(JSON.stringify({ compressed: true })))
    case '/to-literal':
      return redirect(302, `http://127.0.0.2:${trapPort}/secret`)
    case '/to-name':
      return redirect(302, `http://internal.example:${trapPort}/secret`)
    case '/to-file':
      return redirect(302, 'file:///etc/passwd')
    case '/loop':
      return redirect(301, '/loop')
    case '/same-origin':
      return redirect(307, '/ok')
    case '/other-origin':
      return redirect(302, `${other.origin}/ok`)
    default:
      return void res.writeHead(404).end()
  }
})
t.teardown(() => main.close())
const port = new URL(main.origin).port

const fakeDns: Record<string, string[]> = {
  'feeds.example': ['127.0.0.1'],
  'internal.example': ['127.0.0.2'],
  'mixed.example': ['192.0.2.10', '127.0.0.1'],
}
/** The made-up names above; anything else (`localhost`) through the system resolver, which reads /etc/hosts. */
const resolve: Resolver = async (host) =>
  fakeDns[host] ? fakeDns[host].map((address) => ({ address, family: 4 })) : lookup(host, { all: true })
const client = (allowPrivate: string[] = []) =>
  createHttpClient({ policy: createEgressPolicy({ allowPrivate }), resolve })
const get = (url: string, allowPrivate?: string[], headers?: Record<string, string>) =>
  client(allowPrivate).get({ url, headers, signal: new AbortController().signal, timeoutMs: 5000 })
const text = async (response: HttpResponse) => {
  const parts: Uint8Array[] = []
  for await (const chunk of response.chunks()) parts.push(chunk)
  return Buffer.concat(parts).toString()
}
const LOOPBACK = ['127.0.0.1/32']

t.test('a literal loopback address is refused before any connection; the allow-list admits it', async (t) => {
  const before = main.requests.length
  await t.rejects(get(`${main.origin}/ok`), {
    name: 'EgressDeniedError',
    message: /^refused by the egress policy: 127\.0\.0\.1 is a loopback address; .*CRISP_FEED_ALLOW_PRIVATE/,
  })
  await t.rejects(get(`http://[::ffff:127.0.0.1]:${port}/ok`), {
    name: 'EgressDeniedError',
    message: /loopback address \(in IPv6 form\)/,
  })
  t.equal(main.requests.length, before, 'no request reached the server')
  t.equal(await text(await get(`${main.origin}/ok`, LOOPBACK)), 'ok')
})

t.test('a host name is judged on the addresses the socket connects to', async (t) => {
  const before = main.requests.length
  await t.rejects(get(`http://feeds.example:${port}/ok`), {
    name: 'EgressDeniedError',
    message: /feeds\.example resolves to 127\.0\.0\.1, a loopback address/,
  })
  await t.rejects(
    get(`http://mixed.example:${port}/ok`, LOOPBACK),
    { message: /mixed\.example resolves to 192\.0\.2\.10, a documentation address/ },
    'one refused address refuses the name',
  )
  await t.rejects(get(`http://localhost:${port}/ok`), {
    name: 'EgressDeniedError',
    message: /localhost resolves to (127\.0\.0\.1|::1), a loopback address/,
  })
  t.equal(main.requests.length, before, 'no request reached the server')
  // No DNS knows feeds.example: reaching the server proves the socket used the checked lookup's answer.
  t.equal(await text(await get(`http://feeds.example:${port}/ok`, LOOPBACK)), 'ok')
})

t.test('every redirect hop is checked again', async (t) => {
  const publicLooking = `http://feeds.example:${port}`
  await t.rejects(get(`${publicLooking}/to-literal`, LOOPBACK), {
    name: 'EgressDeniedError',
    message: new RegExp(`redirect to http://127\\.0\\.0\\.2:${trapPort}/secret: 127\\.0\\.0\\.2 is a loopback address`),
  })
  await t.rejects(get(`${publicLooking}/to-name`, LOOPBACK), {
    name: 'EgressDeniedError',
    message: /redirect to .*internal\.example resolves to 127\.0\.0\.2, a loopback address/,
  })
  await t.rejects(get(`${publicLooking}/to-file`, LOOPBACK), {
    name: 'EgressDeniedError',
    message: /only http and https URLs are allowed, not file:/,
  })
  t.same(trapRequests, [], 'nothing reached the address behind the redirects')
  const before = main.requests.length
  await t.rejects(get(`${main.origin}/loop`, LOOPBACK), { name: 'SourceDataError', message: /more than 5 redirects/ })
  t.equal(main.requests.length - before, 6, 'the first request and five redirects, no more')
})

t.test('redirects keep the headers on the same origin, only Accept across origins', async (t) => {
  const headers = { accept: 'text/plain', authorization: 'Bearer secret', 'x-api-key': 'k' }
  t.equal(await text(await get(`${main.origin}/same-origin`, LOOPBACK, headers)), 'ok')
  t.match(main.requests.at(-1)?.headers, { authorization: 'Bearer secret', 'x-api-key': 'k' })
  t.equal(await text(await get(`${main.origin}/other-origin`, LOOPBACK, headers)), 'other')
  const away = other.requests.at(-1)?.headers ?? {}
  t.equal(away.accept, 'text/plain')
  t.notOk('authorization' in away || 'x-api-key' in away, 'credentials stay with their origin')
})

t.test('compressed bodies are decompressed', async (t) => {
  t.same(await (await get(`${main.origin}/gzip`, LOOPBACK)).json(), { compressed: true })
})
