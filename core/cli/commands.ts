import { startPlatform } from '../server.js'
import { loadConfig } from '../../config/load.js'
import { createLogger } from '../infra/logger.js'
import { createRegistry } from '../registry/registry.js'
import { builtinPlugins } from '../../plugins/index.js'
import { createAdmin } from '../identity/first-admin.js'
import { AppError } from '../infra/errors.js'
import { migrateLatest, migrateRollback, migrationCounts } from '../infra/database.js'
import { parseArgs, UsageError } from './args.js'
import { withDatabase } from './database.js'
import { feedsList, feedsRun } from './feeds.js'
import { demoCommand, loadDemoAtStart } from './demo.js'
import { taxiiDiscover } from './taxii.js'
import { pluginsNew } from './plugins-new.js'
import { backupCommand, restoreCommand } from './backup.js'
import { secretsRotate } from './secrets.js'
import path from 'node:path'

export interface Command {
  summary: string
  usage: string
  run(argv: string[]): Promise<number | 'keep-running'>
}

function serve(listen: boolean): Command['run'] {
  return async (argv) => {
    const { flags, positionals } = parseArgs(argv, { booleans: listen ? ['no-workers', 'demo'] : [] })
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`)
    const running = await startPlatform({ listen, runWorkers: !flags['no-workers'] })
    if (listen && (flags.demo || running.config.demo)) await loadDemoAtStart(running)
    let stopping = false
    const shutdown = async (signal: string) => {
      if (stopping) return
      stopping = true
      running.app.log.info({ signal }, 'shutting down')
      await running.stop()
      process.exit(0)
    }
    process.once('SIGINT', () => void shutdown('SIGINT'))
    process.once('SIGTERM', () => void shutdown('SIGTERM'))
    return 'keep-running'
  }
}

export const COMMANDS: Record<string, Command> = {
  start: {
    summary: 'Run the API server and job workers (--no-workers: API only; --demo: load the demo data first)',
    usage: 'crisp start [--no-workers] [--demo]',
    run: serve(true),
  },
  worker: {
    summary: 'Run only job workers (scale them apart from API nodes)',
    usage: 'crisp worker',
    run: serve(false),
  },
  migrate: {
    summary: 'Apply, roll back or list database migrations',
    usage: 'crisp migrate [latest|rollback|status]',
    async run(argv) {
      const { positionals } = parseArgs(argv)
      const action = positionals[0] ?? 'latest'
      if (!['latest', 'rollback', 'status'].includes(action) || positionals.length > 1)
        throw new UsageError(`unknown migrate action "${positionals.join(' ')}" (latest, rollback, status)`)
      await withDatabase(async ({ knex }) => {
        if (action === 'latest')
          console.log(`applied: ${(await migrateLatest(knex)).join(', ') || 'nothing (up to date)'}`)
        if (action === 'rollback') console.log(`rolled back: ${(await migrateRollback(knex)).join(', ') || 'nothing'}`)
        if (action === 'status') {
          const { applied, pending } = await migrationCounts(knex)
          console.log(`applied ${applied}, pending ${pending}`)
        }
      })
      return 0
    },
  },
  'users create-admin': {
    summary: 'Create a platform admin (password generated and printed once if not given)',
    usage: 'crisp users create-admin --email <email> [--password <password>]',
    async run(argv) {
      const { flags, positionals } = parseArgs(argv, { values: ['email', 'password'] })
      if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`)
      const { email, password } = flags
      if (typeof email !== 'string') throw new UsageError('--email is required')
      try {
        await withDatabase(({ knex }) =>
          createAdmin({
            knex,
            email,
            password: typeof password === 'string' ? password : undefined,
            reason: 'crisp users create-admin',
          }),
        )
      } catch (err) {
        // Policy and conflict errors are the operator's to fix: one line, no stack.
        if (err instanceof AppError) {
          console.error(`crisp: ${err.message} (${err.statusCode} ${err.code})`)
          return 1
        }
        throw err
      }
      console.log(`created admin ${email}`)
      return 0
    },
  },
  'plugins list': {
    summary: 'List the plugins this configuration loads',
    usage: 'crisp plugins list',
    async run(argv) {
      parseArgs(argv)
      const config = loadConfig()
      const registry = await createRegistry({
        builtins: builtinPlugins,
        pluginsFile: config.plugins,
        baseDir: path.dirname(config.pluginsFile),
        log: createLogger({ level: 'warn' }),
        secrets: { anonymizationKey: config.secrets.anonymizationKey },
      })
      const rows = registry.list().map((p) => [p.kind, p.id, p.version, p.description])
      const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), 4))
      for (const r of rows)
        console.log(`${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2].padEnd(widths[2])}  ${r[3]}`)
      return 0
    },
  },
  demo: demoCommand,
  'plugins new': pluginsNew,
  'feeds list': feedsList,
  'feeds run': feedsRun,
  'secrets rotate': secretsRotate,
  'taxii discover': taxiiDiscover,
  backup: backupCommand,
  restore: restoreCommand,
}
