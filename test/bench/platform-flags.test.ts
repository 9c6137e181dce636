/**
 * The benchmarks run the platform under production's V8 options (bench/platform-flags.ts): read from `npm start`,
 * and given to a benchmark process that lacks them by running it again with them.
 */
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { platformV8Flags } from '../../bench/platform-flags.js'
import { ROOT } from '../paths.js'

const tmp = mkdtempSync(path.join(os.tmpdir(), 'crisp-platform-flags-'))
t.teardown(() => rmSync(tmp, { recursive: true, force: true }))

// A benchmark in miniature (.mts: an ES module outside the package): relaunched when it lacks the options, else prints its own and exits with 3.
const script = path.join(tmp, 'bench.mts')
writeFileSync(
  script,
  `import { relaunchWithPlatformFlags } from ${JSON.stringify(path.join(ROOT, 'bench', 'platform-flags.ts'))}
if (!(await relaunchWithPlatformFlags())) {
  console.log(JSON.stringify({ execArgv: process.execArgv, argv: process.argv.slice(2) }))
  process.exit(3)
}
`,
)
const run = (nodeArgs: string[]) => {
  const res = spawnSync(process.execPath, [...nodeArgs, '--import', 'tsx', script, 'an-argument'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  })
  const printed = res.stdout.trim().split('\n')
  return { status: res.status, printed: printed.map((line) => JSON.parse(line) as Record<string, string[]>) }
}

t.test('the V8 options of npm start, without the module conditions', async (t) => {
  t.same(platformV8Flags(), ['--max-semi-space-size=8'])
})

t.test('a process started without them runs again with them, its arguments and exit code kept', async (t) => {
  const { status, printed } = run([])
  t.equal(status, 3, "the child's exit code")
  t.equal(printed.length, 1, 'only the child ran the benchmark')
  t.ok(printed[0].execArgv.includes('--max-semi-space-size=8'), 'the child has the option')
  t.same(printed[0].argv, ['an-argument'])
})

t.test('an option given by name on the command line is kept as given', async (t) => {
  const { status, printed } = run(['--max-semi-space-size=16'])
  t.equal(status, 3)
  t.equal(printed.length, 1)
  t.ok(printed[0].execArgv.includes('--max-semi-space-size=16'))
  t.notOk(printed[0].execArgv.includes('--max-semi-space-size=8'), 'not relaunched with the default')
})
