/**
 * `npm run build` compiles to plain JavaScript that runs without tsx: build into a throw-away folder, then run
 * the compiled CLI with plain `node` as `npm start` does.
 */
import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { freshDatabase, ROOT, testEnv } from '../helper.js'

// Inside the checkout (git-ignored .test-data/): the compiled code reads its non-TypeScript files from there.
mkdirSync(path.join(ROOT, '.test-data'), { recursive: true })
const outDir = mkdtempSync(path.join(ROOT, '.test-data', 'build-'))
const dataDir = mkdtempSync(path.join(ROOT, '.test-data', 'build-data-'))
t.teardown(() => {
  rmSync(outDir, { recursive: true, force: true })
  rmSync(dataDir, { recursive: true, force: true })
})

const main = path.join(outDir, 'core', 'cli', 'main.js')
const env = (overrides: Record<string, string> = {}) => ({
  ...process.env,
  ...testEnv({ CRISP_DATA_DIR: dataDir, ...overrides }),
})
const builtCli = (args: string[], overrides: Record<string, string> = {}) =>
  spawnSync(process.execPath, [main, ...args], { cwd: ROOT, env: env(overrides), encoding: 'utf8', timeout: 30_000 })

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })
}

const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js'), '--outdir', outDir], {
  cwd: ROOT,
  encoding: 'utf8',
  timeout: 30_000,
})

t.test('the build writes one .js per source .ts, without tests', async (t) => {
  t.equal(build.status, 0, build.stderr)
  t.ok(existsSync(main), 'core/cli/main.js')
  t.ok(existsSync(path.join(outDir, 'plugins', 'export-csv', 'index.js')), 'plugins/export-csv/index.js')
  t.ok(existsSync(path.join(outDir, 'migrations', 'index.js')), 'migrations/index.js')
  t.notOk(existsSync(path.join(outDir, 'test')), 'no test/')
  t.notOk(existsSync(path.join(outDir, 'config', 'load.test.js')), 'no *.test.js')
})

t.test('every relative import of the compiled platform names a compiled file', async (t) => {
  const importPattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g
  const missing: string[] = []
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.js') ? [path.join(dir, e.name)] : [],
    )
  // bench/ is left out: its benchmarks may import test helpers, which are not compiled.
  for (const dir of ['core', 'plugins', 'admin', 'config', 'migrations']) {
    for (const file of walk(path.join(outDir, dir))) {
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(importPattern)) {
        if (!existsSync(path.resolve(path.dirname(file), specifier)))
          missing.push(`${path.relative(outDir, file)} → ${specifier}`)
      }
    }
  }
  t.same(missing, [])
})

t.test('the built `crisp plugins list` runs on plain node and lists the built-ins', async (t) => {
  const res = builtCli(['plugins', 'list'])
  t.equal(res.status, 0, res.stderr)
  t.match(res.stdout, /anonymization-strategy\s+trust-levels\s+\d+\.\d+\.\d+\s+\S+/)
  t.match(res.stdout, /exporter\s+csv\s/)
  t.match(res.stdout, /feed-source\s+taxii21\s/)
  t.match(res.stdout, /auth-strategy\s+password\s/)
})

t.test('a TypeScript plugin under the compiled build fails with a clear message', async (t) => {
  const pluginsFile = path.join(dataDir, 'plugins.json')
  writeFileSync(
    pluginsFile,
    JSON.stringify({ plugins: [{ from: path.join(ROOT, 'test', 'fixtures', 'anonymize-strip-text', 'index.ts') }] }),
  )
  const res = builtCli(['plugins', 'list'], { CRISP_PLUGINS_FILE: pluginsFile })
  t.equal(res.status, 1)
  t.match(
    res.stderr,
    /anonymize-strip-text\/index\.ts: cannot load plugin: .*\.ts.*compile the plugin to JavaScript, or run the platform through tsx/,
  )
})

t.test('`node <build>/core/cli/main.js start` serves the API and the admin console', async (t) => {
  const { url } = await freshDatabase(t)
  const port = await freePort()
  const child = spawn(process.execPath, [main, 'start'], {
    cwd: ROOT,
    env: env({ DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (c: Buffer) => (output += c))
  child.stderr.on('data', (c: Buffer) => (output += c))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const base = `http://127.0.0.1:${port}`
  try {
    const deadline = Date.now() + 25_000
    let ready = 0
    while (Date.now() < deadline && child.exitCode === null) {
      ready = await fetch(`${base}/readyz`).then(
        (r) => r.status,
        () => 0,
      )
      if (ready === 200) break
      await new Promise((r) => setTimeout(r, 200))
    }
    if (ready !== 200) t.comment(output)
    t.equal(ready, 200, '/readyz')
    t.equal((await fetch(`${base}/healthz`)).status, 200, '/healthz')
    const login = await fetch(`${base}/admin/login`)
    t.equal(login.status, 200, '/admin/login')
    t.match(await login.text(), /<html/i, 'the console login page')
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM')
    t.equal(await exited, 0, 'stops cleanly on SIGTERM')
  }
})
