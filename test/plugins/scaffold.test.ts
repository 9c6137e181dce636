import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { ROOT } from '../helper.js'
import { typecheck } from './tsc.js'

const run = promisify(execFile)
const crisp = (args: string[]) =>
  run(process.execPath, [path.join(ROOT, 'bin', 'crisp.js'), ...args], { cwd: ROOT, timeout: 60_000 })

// Scaffolds go inside the checkout, where local plugins live (.scratch is ignored by git and by the test runner).
mkdirSync(path.join(ROOT, '.scratch'), { recursive: true })
const dir = mkdtempSync(path.join(ROOT, '.scratch', 'scaffold-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

for (const kind of ['feed-source', 'exporter', 'anonymization-strategy']) {
  t.test(`crisp plugins new ${kind}: the generated plugin passes its contract test as generated`, async (t) => {
    const id = `my-${kind.split('-')[0]}`
    const created = await crisp(['plugins', 'new', kind, id, '--dir', dir])
    t.match(created.stdout, `created ${path.join(dir, `${kind}-${id}`)}`)
    const folder = path.join(dir, `${kind}-${id}`)
    t.same(readdirSync(folder).sort(), ['README.md', 'index.ts', `${id}.test.ts`].sort())

    const contract = await run(process.execPath, ['--import', 'tsx', path.join(folder, `${id}.test.ts`)], {
      cwd: ROOT,
      timeout: 120_000,
    }).catch((err) => err)
    t.equal(contract.code ?? 0, 0, `the contract test passes:\n${contract.stdout}\n${contract.stderr}`)
    const out = String(contract.stdout)
    t.match(out, new RegExp(`^ok 1 - ${id} meets the ${kind} contract`, 'm'), 'the contract suite ran')
    t.notMatch(out, /not ok/, 'no assertion failed')
    t.ok((out.match(/^\s*ok \d+/gm) ?? []).length > 5, 'the whole suite ran')
    const checked = await typecheck([path.join(folder, 'index.ts'), path.join(folder, `${id}.test.ts`)])
    t.ok(checked.ok, `it type-checks: ${checked.output}`)
  })
}

t.test('plugins new refuses what it cannot scaffold', async (t) => {
  for (const [args, message] of [
    [['auth-strategy', 'x'], /cannot scaffold kind "auth-strategy"/],
    [['feed-source', 'Not_Kebab'], /must be kebab-case/],
    [['feed-source', 'my-feed', '--dir', dir], /already exists/],
  ] as const) {
    const res = await crisp(['plugins', 'new', ...args]).catch((err) => err)
    t.equal(res.code, 2)
    t.match(res.stderr, message)
  }
})
