import t from 'tap'
import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ROOT } from '../helper.js'

const crisp = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [path.join(ROOT, 'bin', 'crisp.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, CRISP_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'crisp-cli-')), ...env },
    encoding: 'utf8',
    timeout: 60_000,
  })

t.test('--help lists every command; each command has --help', async (t) => {
  const res = crisp(['--help'])
  t.equal(res.status, 0)
  for (const cmd of ['start', 'worker', 'migrate', 'users create-admin', 'plugins list']) {
    t.match(res.stdout, cmd, `${cmd} listed`)
    const sub = crisp([...cmd.split(' '), '--help'])
    t.equal(sub.status, 0, `${cmd} --help exits 0`)
    t.match(sub.stdout, /^Usage: crisp /, `${cmd} --help prints usage`)
  }
})

t.test('bad arguments: one clear line and exit code 2', async (t) => {
  for (const args of [
    ['frobnicate'],
    ['start', '--bogus'],
    ['worker', '--no-workers'],
    ['migrate', 'sideways'],
    ['users', 'create-admin', '--nope'],
    ['users', 'create-admin', '--email'],
    [],
  ]) {
    const res = crisp(args)
    t.equal(res.status, 2, `crisp ${args.join(' ')} exits 2`)
    if (args.length) {
      t.equal(res.stderr.trim().split('\n').length, 1, 'one line')
      t.match(res.stderr, /^crisp: /)
    }
  }
})

t.test('a bad environment fails boot naming every bad variable', async (t) => {
  const res = crisp(['plugins', 'list'], { PORT: 'x', LOG_LEVEL: 'loud' })
  t.equal(res.status, 1)
  t.match(res.stderr, /PORT:/)
  t.match(res.stderr, /LOG_LEVEL:/)
})

t.test('plugins list shows kind, id, version and description', async (t) => {
  const res = crisp(['plugins', 'list'])
  t.equal(res.status, 0, res.stderr)
  t.match(res.stdout, /anonymization-strategy\s+trust-levels\s+\d+\.\d+\.\d+\s+\S+/)
})
