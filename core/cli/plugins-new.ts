import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { PLUGIN_ID_PATTERN } from '../plugin-api/index.js'
import { parseArgs, UsageError } from './args.js'
import type { Command } from './commands.js'
import { isOneOf } from '../model/one-of.js'
import { SCAFFOLD_KINDS, scaffoldFiles } from './plugin-templates.js'

/** Whether `crisp/plugin-api` resolves from `dir` (inside the checkout, or where `crisp` is installed or linked). */
function resolvesCrisp(dir: string): boolean {
  try {
    createRequire(path.join(dir, 'index.js')).resolve('crisp/package.json')
    return true
  } catch {
    return false
  }
}

/** `crisp plugins new <kind> <id>`: a plugin that passes its kind's contract suite as generated. */
export const pluginsNew: Command = {
  summary: 'Scaffold a plugin (code, README, contract test) that passes its contract test as generated',
  usage: `crisp plugins new <${SCAFFOLD_KINDS.join('|')}> <id> [--dir <folder, default local-plugins>]`,
  async run(argv) {
    const { positionals, flags } = parseArgs(argv, { values: ['dir'] })
    const [kind, id] = positionals
    if (positionals.length !== 2)
      throw new UsageError('plugins new needs a kind and an id, e.g. "crisp plugins new feed-source my-list"')
    if (!isOneOf(SCAFFOLD_KINDS, kind)) {
      throw new UsageError(
        `cannot scaffold kind "${kind}" (${SCAFFOLD_KINDS.join(', ')}; auth strategies have no contract suite yet)`,
      )
    }
    if (!PLUGIN_ID_PATTERN.test(id)) throw new UsageError(`plugin id "${id}" must be kebab-case, e.g. my-list`)
    const folder = path.resolve(typeof flags.dir === 'string' ? flags.dir : 'local-plugins', `${kind}-${id}`)
    if (existsSync(folder)) throw new UsageError(`${folder} already exists`)
    mkdirSync(folder, { recursive: true })
    const files = scaffoldFiles(kind, id)
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(folder, name), text)
    console.log(`created ${folder}: ${Object.keys(files).join(', ')}`)
    console.log(`contract test: npx tsx ${path.relative(process.cwd(), path.join(folder, `${id}.test.ts`))}`)
    if (!resolvesCrisp(folder)) {
      console.log(
        'note: this folder is outside the CRISP checkout, so "crisp/plugin-api" does not resolve from it; keep plugins inside the checkout or install/link the crisp package beside them',
      )
    }
    return 0
  },
}
