/**
 * The lint rules of issue 17 do what eslint.config.js says: in core/ a type assertion, a non-null assertion or
 * `any` fails the lint, `as const` and test files do not, and every listed exception names a file that exists.
 * The whole-repository run is `npm run lint` in .ci/run; here the rules are checked on snippets, so that a
 * configuration change that quietly switches them off fails `npm test`.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { ESLint } from 'eslint'
import t from 'tap'
import tseslint from 'typescript-eslint'
import { ROOT } from '../paths.js'

const eslint = new ESLint({ cwd: ROOT })

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, filePath) })
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message)
}

t.test('core/ code may not assert a type', async (t) => {
  const ids = await ruleIds('export const f = (row: unknown) => (row as { id: string }).id\n', 'core/store/example.ts')
  t.ok(ids.includes('@typescript-eslint/consistent-type-assertions'), 'a cast of a row is an error')
})

t.test('core/ code may not use a non-null assertion or any', async (t) => {
  const bang = await ruleIds('export const f = (m: Map<string, number>) => m.get("a")!\n', 'core/feeds/example.ts')
  t.ok(bang.includes('@typescript-eslint/no-non-null-assertion'), '`x!` is an error')
  const any = await ruleIds('export const f = (r: Record<string, any>) => r\n', 'core/identity/example.ts')
  t.ok(any.includes('@typescript-eslint/no-explicit-any'), '`any` is an error')
})

t.test('a route file may not run SQL', async (t) => {
  const sql = "export const ready = (app: { knex: { raw(s: string): Promise<unknown> } }) => app.knex.raw('select 1')\n"
  t.ok(
    (await ruleIds(sql, 'core/routes/example.ts')).includes('no-restricted-syntax'),
    'a query in a route is an error',
  )
  t.same(await ruleIds(sql, 'core/infra/example.ts'), [], 'the same query in a service is fine')
})

t.test('`as const`, tests and code outside core/ are not held to the cast rule', async (t) => {
  t.same(
    await ruleIds("export const LEVELS = ['a', 'b'] as const\n", 'core/model/example.ts'),
    [],
    '`as const` is fine',
  )
  const cast = 'export const f = (row: unknown) => (row as { id: string }).id\n'
  t.same(await ruleIds(cast, 'core/store/example.test.ts'), [], 'a test file inside core/ may assert')
  t.same(await ruleIds(cast, 'test/store/example.ts'), [], 'test/ may assert')
})

t.test('every recorded assertion exception names an existing file, a reason, and a cast it still needs', async (t) => {
  const config: { ASSERTION_EXCEPTIONS?: { file: string; why: string }[] } = await import(
    path.join(ROOT, 'eslint.config.js')
  )
  const exceptions = config.ASSERTION_EXCEPTIONS ?? []
  // The cast rule alone, without the exception list: an excepted file that no longer casts must leave the list.
  const castsOnly = new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { '@typescript-eslint': tseslint.plugin },
        rules: { '@typescript-eslint/consistent-type-assertions': ['error', { assertionStyle: 'never' }] },
      },
    ],
  })
  for (const e of exceptions) {
    const file = path.join(ROOT, e.file)
    t.ok(existsSync(file), `${e.file} exists (else remove it from ASSERTION_EXCEPTIONS)`)
    t.ok(e.why.length > 20, `${e.file} says why it needs a cast`)
    if (!existsSync(file)) continue
    const [result] = await castsOnly.lintFiles([file])
    t.ok((result?.messages.length ?? 0) > 0, `${e.file} still has a cast (else remove it from ASSERTION_EXCEPTIONS)`)
  }
})
