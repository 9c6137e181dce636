import fp from 'fastify-plugin'
import { AnonymizedWriter } from './anonymized-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The write-behind queue of this app's stored anonymization output (pass it to `readSharedPage`). */
    anonymizedOutput: AnonymizedWriter
  }
}

/** One write-behind queue per app, on the app's database; what is queued is written before the app closes. */
export const anonymizedOutputPlugin = fp(
  async (app) => {
    const writer = new AnonymizedWriter(app.knex, (err) =>
      app.log.warn({ err }, 'anonymized output not stored (it is recomputed on its next read)'),
    )
    app.decorate('anonymizedOutput', writer)
    app.addHook('preClose', async () => {
      await writer.flush()
    })
  },
  { name: 'crisp-anonymized-output', dependencies: ['crisp-database'] },
)
