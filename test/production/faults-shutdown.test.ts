import { rmSync } from 'node:fs'
import t from 'tap'
import { livePostmaster } from '../../core/infra/embedded-postgres-files.js'
import { PLUGINS_FILE } from '../feeds/feed-helper.js'
import { freshDatabase } from '../helper.js'
import { freePort, startCrisp, waitForReadiness, type CrispProcess } from './faults-processes.js'

const ENV = { CRISP_PLUGINS_FILE: PLUGINS_FILE, ADMIN_JS_SKIP_BUNDLE: 'true' }

/** Waits until the process logged `msg`, or fails when it exits first. */
async function waitForLog(p: CrispProcess, msg: RegExp, timeoutMs = 90_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !p.logLines().some((l) => msg.test(l.msg));) {
    if (!p.alive() || Date.now() > deadline) throw new Error(`${p.logFile}: no "${msg.source}" log line`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Ctrl-C in a terminal signals the whole foreground process group: the platform and its embedded PostgreSQL. */
async function ctrlC(p: CrispProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => p.child.once('exit', (code) => resolve(code)))
  process.kill(-(p.child.pid as number), 'SIGINT')
  return exited
}

const errorLines = (p: CrispProcess) =>
  p
    .logLines()
    .filter((l) => l.level >= 50)
    .map((l) => l.msg)

t.test('Ctrl-C of a worker on the embedded PostgreSQL logs no error and stops its cluster', async (t) => {
  const worker = startCrisp(
    'worker',
    { ...ENV, CRISP_EMBEDDED_PG_PORT: String(await freePort()), CRISP_METRICS_PORT: String(await freePort()) },
    undefined,
    { ownGroup: true },
  )
  t.teardown(async () => {
    await worker.kill('SIGKILL')
    // The cluster of a data folder postgres cannot enter lives under /var/lib/crisp (core/infra/embedded-postgres.ts).
    const moved = worker
      .logLines()
      .map((l) => /keeping the cluster in (\S+)/.exec(l.msg)?.[1])
      .find(Boolean)
    if (moved) rmSync(moved, { recursive: true, force: true })
  })
  // The metrics listener is the last thing a worker starts: its signal handlers are in place after it.
  await waitForLog(worker, /^worker metrics listening/)
  await new Promise((r) => setTimeout(r, 200))
  t.equal(await ctrlC(worker), 0, 'exit code 0')
  t.same(errorLines(worker), [], 'no level ≥ 50 line')
  const pgdata = worker
    .logLines()
    .map((l) => /initialised a new cluster in (\S+)/.exec(l.msg)?.[1])
    .find(Boolean)
  t.ok(pgdata, 'an embedded cluster was started')
  t.notOk(pgdata && livePostmaster(pgdata), 'its server stopped with the platform')
})

t.test('SIGTERM of an API node and a worker on an external database logs no error', async (t) => {
  const { url } = await freshDatabase(t)
  const api = startCrisp('api', { ...ENV, DATABASE_URL: url }, await freePort(), { ownGroup: true })
  const worker = startCrisp('worker', { ...ENV, DATABASE_URL: url }, undefined, { ownGroup: true })
  t.teardown(() => Promise.all([api.kill('SIGKILL'), worker.kill('SIGKILL')]))
  await waitForReadiness(api, 200, 90_000)
  await new Promise((r) => setTimeout(r, 1000))
  await Promise.all([api.kill('SIGTERM'), worker.kill('SIGTERM')])
  t.equal(api.child.exitCode, 0, `API node exit code (${api.logFile})`)
  t.equal(worker.child.exitCode, 0, `worker exit code (${worker.logFile})`)
  t.same([...errorLines(api), ...errorLines(worker)], [], 'no level ≥ 50 line')
})
