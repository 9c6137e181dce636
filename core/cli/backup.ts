import { existsSync, statSync } from 'node:fs'
import { mkdir, readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { errorMessage } from '../infra/errors.js'
import { parseArgs, UsageError } from './args.js'
import type { Command } from './commands.js'
import { withDatabase } from './database.js'
import { dumpDatabase } from './backup-dump.js'
import { restoreDatabase } from './backup-restore.js'
import { manifestPath } from './backup-format.js'

const PLACEHOLDER = '{timestamp}'
/** `20261201T213000Z`: sorts as it reads, so "newest" is "last by name". */
const stamp = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')

/** FILE, a folder (existing, or ending in `/`: a timestamped name inside it) or a name with `{timestamp}`: the file to write, and its pattern. */
export function backupTarget(arg: string, now = new Date()): { file: string; pattern?: RegExp } {
  const folder = arg.endsWith('/') || (existsSync(arg) && statSync(arg).isDirectory())
  const template = folder ? path.join(arg, `crisp-${PLACEHOLDER}.backup`) : arg
  if (!path.basename(template).includes(PLACEHOLDER)) return { file: path.resolve(template) }
  const [before, after] = path.basename(template).split(PLACEHOLDER, 2)
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return {
    file: path.resolve(path.dirname(template), `${before}${stamp(now)}${after}`),
    pattern: new RegExp(`^${escape(before)}\\d{8}T\\d{6}Z${escape(after)}$`),
  }
}

/** Deletes all but the `keep` newest backups (and their manifests) whose names match `pattern` in `dir`. */
export async function pruneBackups(dir: string, pattern: RegExp, keep: number): Promise<string[]> {
  const names = (await readdir(dir))
    .filter((n) => pattern.test(n))
    .sort()
    .reverse()
  const removed = names.slice(keep)
  for (const name of removed) {
    await rm(path.join(dir, name), { force: true })
    await rm(manifestPath(path.join(dir, name)), { force: true })
  }
  return removed
}

export const backupCommand: Command = {
  summary: 'Back up the platform database (tables and pg-boss queues) to FILE, with a FILE.manifest.json beside it',
  usage:
    'crisp backup FILE|FOLDER [--keep N]   (FILE may contain {timestamp}; --keep keeps the N newest of that pattern)',
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, { values: ['keep'] })
    if (positionals.length !== 1) throw new UsageError('crisp backup needs one FILE or FOLDER')
    const keep = flags.keep === undefined ? undefined : Number(flags.keep)
    if (keep !== undefined && !(Number.isInteger(keep) && keep >= 1))
      throw new UsageError('--keep needs a whole number ≥ 1')
    const target = backupTarget(positionals[0])
    if (keep !== undefined && !target.pattern)
      throw new UsageError(`--keep needs a FOLDER or a FILE name containing ${PLACEHOLDER}`)
    await mkdir(path.dirname(target.file), { recursive: true })
    const manifest = await withDatabase(({ url }) => dumpDatabase({ url, file: target.file }))
    const rows = Object.values(manifest.tables).reduce((a, b) => a + b, 0)
    console.log(
      `backed up ${Object.keys(manifest.tables).length} tables, ${rows} rows to ${target.file} (${manifest.bytes} bytes, sha256 ${manifest.sha256})`,
    )
    if (keep !== undefined && target.pattern) {
      for (const name of await pruneBackups(path.dirname(target.file), target.pattern, keep))
        console.log(`removed old backup ${name}`)
    }
    return 0
  },
}

export const restoreCommand: Command = {
  summary: 'Restore a `crisp backup` FILE into an empty platform database (verified; --force replaces existing data)',
  usage: 'crisp restore FILE [--force]',
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, { booleans: ['force'] })
    if (positionals.length !== 1) throw new UsageError('crisp restore needs one FILE')
    const file = path.resolve(positionals[0])
    try {
      const result = await withDatabase(({ url }) => restoreDatabase({ url, file, force: flags.force === true }))
      console.log(
        `restored ${result.tables} tables, ${result.rows} rows from ${file}; row counts and migrations verified`,
      )
      return 0
    } catch (err) {
      console.error(`crisp: restore refused or failed: ${errorMessage(err)}`)
      return 1
    }
  },
}
