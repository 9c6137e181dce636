import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { createOrg, createUser, ROOT } from '../helper.js'
import { liveTestApp } from '../live-app.js'

const run = promisify(execFile)

/** The ```sh blocks of a Markdown file, in order. */
export function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1])
}

/** The guide's commands, verbatim, except the values of the settings the reader fills in (first block). */
function guideScript(settings: Record<string, string>): string {
  const blocks = shellBlocks(readFileSync(path.join(ROOT, 'docs', 'getting-started.md'), 'utf8'))
  const replaced = new Set<string>()
  blocks[0] = blocks[0].replace(/^(\w+)=.*$/gm, (line, name: string) => {
    if (!(name in settings)) return line
    replaced.add(name)
    return `${name}='${settings[name]}'`
  })
  if (replaced.size !== Object.keys(settings).length)
    throw new Error(`the guide's first block no longer sets ${Object.keys(settings).join(', ')}`)
  return ['set -euo pipefail', ...blocks].join('\n')
}

t.test('docs/getting-started.md: its commands run, in order, against a fresh platform on a real port', async (t) => {
  const { app, knex, url } = await liveTestApp(t)
  const platformOrg = await createOrg(knex, 'Platform operators')
  const admin = await createUser(app, { orgId: platformOrg, role: 'admin', email: 'admin@crisp.local' })
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crisp-guide-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))

  const script = guideScript({ CRISP: url, ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password })
  const { stdout } = await run('bash', ['-c', script], { cwd: dir, timeout: 60_000 }).catch((err) => {
    throw new Error(`the guide's commands failed: ${err.stderr}\n--- their output:\n${err.stdout}`)
  })
  const lines = stdout.trim().split('\n')
  const published = "[ipv4-addr:value = '198.51.100.23']"

  t.equal(
    (await knex('organizations').whereIn('name', ['ACME Energy', 'Globex Grid'])).length,
    2,
    'both organizations exist',
  )
  t.equal(
    (await knex('users').whereIn('email', ['analyst@acme.example', 'analyst@globex.example'])).length,
    2,
    'a user in each',
  )
  t.ok(lines.includes('{"new":1,"new-version":0,"unchanged":0,"rejected":0}'), 'the bundle stored one new object')

  const patterns = lines.filter((l) => l.startsWith('[ipv4-addr:value'))
  t.equal(patterns.length, 4, 'four reads of the indicator: publisher, partner (REST, TAXII), partner at full trust')
  t.equal(patterns[0], published, 'the publisher sees its own indicator as published')
  t.not(patterns[1], published, 'the partner (medium trust) sees it anonymized')
  t.match(patterns[1], /198\.51\.100\.0\/24|ipv4-addr:value/, 'still an ipv4 pattern')
  t.equal(patterns[2], patterns[1], 'TAXII gives the partner exactly what REST gives')
  t.equal(patterns[3], published, 'at full trust the partner sees the address as published')
  t.ok(lines.includes(`${url}/taxii2/api/`), 'TAXII discovery lists the api root at the public URL')
})
