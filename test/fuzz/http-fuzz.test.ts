import t from 'tap'
import { buildFuzzApp, formatFailures, runFuzz } from './fuzz.js'

// The short, fixed run of the HTTP fuzz suite (`npm run fuzz:http` is the long one): every documented route and
// every TAXII route, as every role, schema-derived and hostile requests; no 5xx, the documented error shape,
// and no row written by a refused request.
const SEED = 20261201
const REQUESTS = 1500

t.test(`HTTP fuzz: ${REQUESTS} requests, seed ${SEED}`, async (t) => {
  const { app, knex, logs } = await buildFuzzApp(t)
  const report = await runFuzz({ app, knex, logs, seed: SEED, requests: REQUESTS })
  t.comment(`${report.sent} requests over ${report.perRoute.size} routes, ${report.serverErrors} server errors`)
  t.ok(
    report.countedTables.includes('stix_objects') && report.countedTables.length >= 15,
    `row counts checked: ${report.countedTables.join(', ')}`,
  )
  t.ok(report.sent >= REQUESTS, 'every request was sent')
  t.equal(report.failures.length, 0, formatFailures(report, 20) || 'no failures')
})
