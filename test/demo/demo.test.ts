import { spawn } from 'node:child_process'
import path from 'node:path'
import t from 'tap'
import type { Knex } from 'knex'
import { buildTestApp, freshDatabase, loginAs, ROOT, testEnv } from '../helper.js'
import { loadDemo } from '../../core/demo/load-demo.js'

const TABLES = [
  'organizations',
  'users',
  'trust_relationships',
  'collections',
  'stix_objects',
  'collection_objects',
  'audit_log',
]

async function rowCounts(knex: Knex): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const table of TABLES) out[table] = Number((await knex(table).count({ n: '*' }))[0].n)
  return out
}

function crispDemo(databaseUrl: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'crisp.js'), 'demo'], {
      cwd: ROOT,
      env: { ...process.env, ...testEnv({ DATABASE_URL: databaseUrl }) },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c))
    child.stderr.on('data', (c: Buffer) => (stderr += c))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

t.test('crisp demo twice leaves exactly the rows of once, and prints every login', async (t) => {
  const { url, knex } = await freshDatabase(t)
  const empty = await rowCounts(knex)
  const first = await crispDemo(url)
  t.equal(first.code, 0, first.stderr)
  const once = await rowCounts(knex)
  t.equal(once.organizations - empty.organizations, 3, 'three demo organizations')
  t.equal(once.users - empty.users, 6, 'a publisher and a viewer in each')
  t.equal(once.trust_relationships - empty.trust_relationships, 6)
  t.equal(once.collections - empty.collections, 2)
  t.ok(once.stix_objects - empty.stix_objects > 100, 'ATT&CK for ICS subset and indicators stored')
  for (const email of ['publisher@northwind.example', 'viewer@contoso.example', 'viewer@gridcert.example'])
    t.match(first.stdout, email)
  t.match(first.stdout, 'Northwind-Demo-2024!')
  t.notMatch(first.stdout, /objects rejected/, 'the store accepts every demo object')

  const second = await crispDemo(url)
  t.equal(second.code, 0, second.stderr)
  t.same(await rowCounts(knex), once, 'the second run changed no table: same rows, no new audit entries')
  t.match(second.stdout, 'added 0 organizations, 0 users, 0 trust relationships, 0 collections, 0 objects')
  t.match(second.stdout, 'publisher@northwind.example', 'the logins are printed again')
})

t.test('the demo users log in and see the demo through the sharing rules', async (t) => {
  const { app, knex } = await buildTestApp(t)
  const summary = await loadDemo(knex)
  t.same(summary.notes, [])
  const again = await loadDemo(knex)
  t.same(again.created, { organizations: 0, users: 0, trustRelationships: 0, collections: 0, objects: 0 })

  const login = (email: string) =>
    loginAs(
      app,
      summary.logins.find((l) => l.email === email)!,
    )
  const read = async (email: string) => {
    const res = await app.inject({
      url: '/api/v1/objects?type=indicator&limit=1000',
      headers: { authorization: `Bearer ${await login(email)}` },
    })
    t.equal(res.statusCode, 200)
    return (res.json().items as { object: { id: string; pattern: string } }[]).map((i) => i.object)
  }
  const own = await read('viewer@northwind.example')
  t.equal(own.length, 7, 'Northwind sees its seven indicators')
  t.ok(
    own.some((o) => o.pattern.includes("'198.51.100.23'")),
    'as published',
  )
  const partner = await read('viewer@contoso.example')
  t.ok(partner.length > 0, 'Contoso (medium trust) sees indicators')
  t.notOk(
    partner.some((o) => o.pattern.includes("'198.51.100.23'")),
    'anonymized: the address is not shown as published',
  )
  const cert = await read('viewer@gridcert.example')
  t.ok(
    cert.some((o) => o.pattern.includes("'198.51.100.23'")),
    'the CERT (full trust) sees it as published',
  )
  const northwind = await knex('organizations')
    .where({ name: 'Demo: Northwind Power' })
    .first('sectors', 'stix_identity')
  t.same(northwind?.sectors, ['energy', 'utilities'], 'demo organizations state their sectors')
  t.same(northwind?.stix_identity?.sectors, ['energy', 'utilities'], 'in their STIX identity too')
  const byCert = (await read('viewer@gridcert.example')).find((o) => o.pattern.includes("'198.51.100.23'")) as
    { created_by_ref?: string } | undefined
  t.equal(byCert?.created_by_ref, northwind?.stix_identity?.id, 'the demo indicators are attributed to their publisher')

  const token = await login('viewer@contoso.example')
  const techniques = await app.inject({
    url: '/api/v1/objects?type=attack-pattern&limit=1000',
    headers: { authorization: `Bearer ${token}` },
  })
  t.ok(
    techniques.json().items.length >= 80,
    'the public ATT&CK for ICS collection is readable by every demo organization',
  )
})

t.test('CRISP_DEMO=1 crisp start loads the demo into the platform it starts, and prints the logins', async (t) => {
  const { url, knex } = await freshDatabase(t)
  const { freePort } = await import('../live-app.js')
  const port = await freePort()
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'crisp.js'), 'start', '--no-workers'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...testEnv({ DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1', CRISP_DEMO: '1', LOG_LEVEL: 'warn' }),
    },
  })
  let stdout = ''
  const printed = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      stdout += c
      if (stdout.includes('never load the demo')) resolve()
    })
    child.on('exit', (code) => reject(new Error(`crisp start exited ${code}: ${stdout}`)))
  })
  const exited = new Promise((resolve) => child.on('exit', resolve))
  t.teardown(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM')
      await exited
    }
  })
  await printed
  t.match(stdout, 'viewer@contoso.example')
  t.equal(Number((await knex('users').where('email', 'like', '%@northwind.example').count({ n: '*' }))[0].n), 2)
  const res = await fetch(`http://127.0.0.1:${port}/`)
  t.equal(res.status, 200, 'the platform serves its front door')
})
