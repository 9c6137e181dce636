import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { TestLike } from './helper.js'

export interface SelfSigned {
  certFile: string
  keyFile: string
  cert: string
  key: string
}

/** A fresh self-signed certificate for `localhost` and 127.0.0.1 (openssl), removed when the test ends. */
export function selfSignedCert(t: TestLike): SelfSigned {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crisp-tls-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const certFile = path.join(dir, 'cert.pem')
  const keyFile = path.join(dir, 'key.pem')
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
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  )
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') }
}

/**
 * A small reverse proxy like nginx's usual setup: it forwards to `target` with the upstream's own Host, and says
 * who asked with X-Forwarded-For (appending the peer, as `$proxy_add_x_forwarded_for`), X-Forwarded-Proto and
 * X-Forwarded-Host. With `tls` it terminates https. `port`: where it listens (default: any free one).
 */
export async function startReverseProxy(
  t: TestLike,
  options: { target: string; tls?: { cert: string; key: string }; port?: number },
): Promise<{ url: string; port: number }> {
  const target = new URL(options.target)
  const handler: http.RequestListener = (req, res) => {
    const given = req.headers['x-forwarded-for']
    const headers = {
      ...req.headers,
      host: target.host,
      'x-forwarded-for': [given, req.socket.remoteAddress].filter(Boolean).join(', '),
      'x-forwarded-proto': options.tls ? 'https' : 'http',
      'x-forwarded-host': req.headers.host ?? '',
    }
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', () => {
      res.writeHead(502)
      res.end()
    })
    req.pipe(upstream)
  }
  const server = options.tls
    ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, handler)
    : http.createServer(handler)
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve))
  t.teardown(() => {
    server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  const { port } = server.address() as AddressInfo
  return { url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`, port }
}

export interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

/**
 * One HTTP(S) request from a chosen local address (127.0.0.0/8 all reaches loopback, so each address is another
 * "client"); `ca` trusts a self-signed server certificate.
 */
export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; from?: string; ca?: string } = {},
): Promise<Answer> {
  const target = new URL(url)
  const client = target.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const req = client.request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        headers: options.headers,
        localAddress: options.from,
        ca: options.ca,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        )
      },
    )
    req.on('error', reject)
    req.end(options.body)
  })
}
