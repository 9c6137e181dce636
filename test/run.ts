/**
 * `npm test`: one embedded PostgreSQL cluster for the whole run (unless TEST_DATABASE_URL names a server), a
 * migrated template database each test file clones, then tap over every test file. Ends with the line
 * `N passed, N failed`.
 */
import { spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import net from 'node:net'
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../core/infra/embedded-postgres.js'
import { prepareTemplate, TEMPLATE_DB } from './template.js'

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })
}

function runTap(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; pass: number; fail: number }> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['tap', ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] })
    let tail = ''
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk)
      tail = (tail + chunk.toString()).slice(-4000)
    })
    child.on('exit', (code) => {
      // tap closes with a summary line such as `# { total: 12, pass: 11, fail: 1 }`.
      const summary = tail.match(/# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?/)
      const pass = Number(summary?.[2] ?? 0)
      const fail = summary ? Number(summary[3] ?? 0) : 1
      resolve({ code: code ?? 1, pass, fail })
    })
  })
}

async function main(): Promise<number> {
  let embedded: EmbeddedPostgres | undefined
  let adminUrl = process.env.TEST_DATABASE_URL
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'crisp-test-'))
  // mkdtemp makes it private; the postgres user must be able to enter it to reach its data folder.
  chmodSync(scratch, 0o755)
  try {
    if (!adminUrl) {
      embedded = await startEmbeddedPostgres({
        dataDir: path.join(scratch, 'pg'),
        port: await freePort(),
        ephemeral: true,
        throwAway: true,
      })
      adminUrl = embedded.adminUrl()
    }
    await prepareTemplate(adminUrl)
    const env = { ...process.env, CRISP_TEST_ADMIN_URL: adminUrl, CRISP_TEST_TEMPLATE: TEMPLATE_DB }
    const result = await runTap(process.argv.slice(2), env)
    console.log(`\n${result.pass} passed, ${result.fail} failed`)
    return result.code !== 0 || result.fail > 0 ? 1 : 0
  } finally {
    await embedded?.stop()
    rmSync(scratch, { recursive: true, force: true })
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err)
    process.exit(1)
  },
)
