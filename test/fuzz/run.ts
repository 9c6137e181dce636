/**
 * `npm run fuzz:http [-- --requests N --seed S --only REGEX --verbose]`: the HTTP fuzz suite's long run on its own
 * embedded PostgreSQL. Prints the requests sent per route and `N requests, N server errors`; exits 1 on any failure.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../core/infra/embedded-postgres.js'
import { prepareTemplate, TEMPLATE_DB } from '../template.js'
import { buildFuzzApp, formatFailures, runFuzz } from './fuzz.js'
import net from 'node:net'

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '20000' },
      seed: { type: 'string' },
      only: { type: 'string' },
      verbose: { type: 'boolean', default: false },
    },
  })
  const seed = values.seed ? Number(values.seed) : Date.now() % 2 ** 31
  const requests = Number(values.requests)
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'crisp-fuzz-'))
  chmodSync(scratch, 0o755)
  let embedded: EmbeddedPostgres | undefined
  const teardowns: (() => unknown)[] = []
  try {
    let adminUrl = process.env.TEST_DATABASE_URL
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
    process.env.CRISP_TEST_ADMIN_URL = adminUrl
    process.env.CRISP_TEST_TEMPLATE = TEMPLATE_DB
    console.log(`HTTP fuzz: seed ${seed} (repeat with --seed ${seed}), about ${requests} requests`)
    const { app, knex, logs } = await buildFuzzApp({ teardown: (fn) => teardowns.push(fn) })
    const started = Date.now()
    const report = await runFuzz({
      app,
      knex,
      logs,
      seed,
      requests,
      only: values.only ? new RegExp(values.only) : undefined,
      verbose: values.verbose,
      progress: (line) => console.log(`  ${line}`),
    })
    if (report.failures.length) console.log(`\n${formatFailures(report, 200)}`)
    console.log(
      `\nrow counts of ${report.countedTables.length} tables checked after each refused request: ${report.countedTables.join(', ')}`,
    )
    console.log(`${report.perRoute.size} routes in ${((Date.now() - started) / 1000).toFixed(1)} s; seed ${seed}`)
    const others = report.failures.length - report.serverErrors
    console.log(
      `${report.sent} requests, ${report.serverErrors} server errors${others ? `, ${others} other failures` : ''}`,
    )
    return report.failures.length ? 1 : 0
  } finally {
    for (const fn of teardowns.reverse()) await fn()
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
