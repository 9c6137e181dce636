import { spawn } from 'node:child_process'
import path from 'node:path'
import t from 'tap'
import { startFixtureServer } from '../contract/feed-source.js'
import { ROOT, testEnv } from '../helper.js'
import { authAs, buildFeedsApp, createOrgWithUsers, PLUGINS_FILE } from './feed-helper.js'
import { startWorker, streamBundle } from './worker-process.js'

const server = await startFixtureServer((req, res) =>
  streamBundle(res, { seed: 'cli', count: 2000, perChunk: 200, delayMs: 50 }),
)
t.teardown(() => server.close())
const { app, knex, databaseUrl } = await buildFeedsApp(t, {}, false)
const org = await createOrgWithUsers(knex)

function crisp(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'crisp.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...testEnv({ DATABASE_URL: databaseUrl, CRISP_PLUGINS_FILE: PLUGINS_FILE }) },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

t.test('crisp feeds list and feeds run --wait (plain lines off a terminal)', async (t) => {
  const feed = await app.inject({
    method: 'POST',
    url: '/api/v1/feeds',
    headers: authAs(org.publisher),
    payload: {
      name: 'cli feed',
      source: 'stix-bundle',
      config: { url: `${server.origin}/b.json` },
      collectionId: org.collectionId,
    },
  })
  const id = feed.json().id
  const list = await crisp(['feeds', 'list'])
  t.equal(list.code, 0, list.stderr)
  t.match(list.stdout, new RegExp(`${id}\\s+cli feed\\s+stix-bundle\\s+enabled\\s+manual`))
  const worker = startWorker(databaseUrl)
  t.teardown(() => worker.kill())
  const run = await crisp(['feeds', 'run', id, '--wait'])
  t.equal(run.code, 0, run.stderr)
  const lines = run.stdout.trim().split('\n')
  t.match(lines[0], /^queued run /)
  t.match(lines.at(-1), /^succeeded +2000 objects \(2000 new.*objects\/s +0 rejected/)
  t.notMatch(run.stdout, '\r', 'no carriage returns off a terminal')
  t.equal((await crisp(['feeds', 'run', '00000000-0000-4000-8000-000000000000'])).code, 2, 'unknown feed')
  await worker.kill('SIGTERM')
})
