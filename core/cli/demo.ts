import { migrateLatest } from '../infra/database.js'
import { formatDemoSummary, loadDemo } from '../demo/load-demo.js'
import type { Running } from '../server.js'
import { parseArgs, UsageError } from './args.js'
import type { Command } from './commands.js'
import { withDatabase } from './database.js'

/** `crisp demo`: migrates, loads the demo data (idempotent) and prints how to log in as each demo user. */
export const demoCommand: Command = {
  summary: 'Load demo organizations, users, trust, ATT&CK for ICS and indicators (idempotent); print the logins',
  usage: 'crisp demo',
  async run(argv) {
    const { positionals } = parseArgs(argv)
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`)
    await withDatabase(async ({ config, knex }) => {
      await migrateLatest(knex)
      console.log(formatDemoSummary(await loadDemo(knex), config.publicUrl, config.network.adminPath))
    })
    return 0
  },
}

/** `crisp start --demo` / `CRISP_DEMO=1`: the same, into the running platform's database. */
export async function loadDemoAtStart(running: Running): Promise<void> {
  const summary = await loadDemo(running.app.knex)
  running.app.log.info({ created: summary.created }, 'demo data loaded')
  console.log(formatDemoSummary(summary, running.config.publicUrl, running.config.network.adminPath))
}
