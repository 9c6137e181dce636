import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { ROOT } from '../helper.js'
import { typecheck } from './tsc.js'

t.test("docs/plugins.md's worked example compiles against `crisp/plugin-api` and loads", async (t) => {
  const doc = readFileSync(path.join(ROOT, 'docs', 'plugins.md'), 'utf8')
  const example = doc.match(/^```ts\n([\s\S]*?)^```$/m)?.[1]
  t.ok(example, 'the first ts block')
  t.match(example!, "from 'crisp/plugin-api'", 'imports the documented name')
  // Inside the checkout, where plugins live (.scratch is ignored by git and by the test runner).
  mkdirSync(path.join(ROOT, '.scratch'), { recursive: true })
  const dir = mkdtempSync(path.join(ROOT, '.scratch', 'docs-example-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'example.ts')
  writeFileSync(file, example!)

  const checked = await typecheck([file])
  t.ok(checked.ok, `tsc: ${checked.output}`)
  const plugin = (await import(file)).default
  t.match(plugin, { kind: 'exporter', id: 'ndjson', apiVersion: 1 }, 'a definition the registry accepts')
  const { defineExporter } = await import('../../core/plugin-api/index.js')
  t.equal(
    (await import('crisp/plugin-api')).defineExporter,
    defineExporter,
    'the documented name is the same module as core/plugin-api',
  )
})
