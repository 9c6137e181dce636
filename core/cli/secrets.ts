import { feedSecretBox } from '../infra/secret-box.js'
import { resealFeedSecrets } from '../feeds/secrets-at-rest.js'
import { parseArgs, UsageError } from './args.js'
import { withDatabase } from './database.js'
import type { Command } from './commands.js'

/**
 * `crisp secrets rotate`: after `CRISP_SECRETS_KEY` got a new value (the old one moved to
 * `CRISP_SECRETS_KEY_PREVIOUS`), re-seals every stored feed secret with the new key, so the previous key can be
 * dropped. Idempotent; exit code 1 if a secret opens with neither key (named on stderr, left as it is).
 */
export const secretsRotate: Command = {
  summary: 'Re-encrypt stored feed secrets with the current CRISP_SECRETS_KEY (after a key rotation)',
  usage: 'crisp secrets rotate',
  async run(argv) {
    if (parseArgs(argv).positionals.length) throw new UsageError('secrets rotate takes no arguments')
    return withDatabase(async ({ config, knex }) => {
      const box = feedSecretBox(config)
      const { sealed, unreadable } = await resealFeedSecrets({ knex, box, mode: 'rotate' })
      console.log(`feeds re-encrypted with key id ${box.kid}: ${sealed}`)
      for (const err of unreadable) console.error(err.message)
      return unreadable.length ? 1 : 0
    })
  },
}
