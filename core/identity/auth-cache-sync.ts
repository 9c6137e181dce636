import fp from 'fastify-plugin'
import { apiKeyStates, invalidateApiKey, sessionStates, userStates } from './auth-cache.js'

/** The channel migration 0061's trigger `crisp_auth_changed()` notifies (payloads `user:<id>`, `session:<id>`, `api_key:<id>`). */
export const AUTH_CHANNEL = 'crisp_auth'

const caches = [userStates, sessionStates, apiKeyStates]
/** Apps of this process whose listener is down (tests run several apps in one process: the caches are shared). */
const deaf = new Set<object>()
const applyDeafness = () => caches.forEach((cache) => cache.setEnabled(deaf.size === 0))

/** Drops the cached answer a notification names; unknown payloads are ignored. */
export function applyAuthChange(payload: string): void {
  const [kind, id] = payload.split(':', 2)
  if (kind === 'user') userStates.invalidate(id)
  else if (kind === 'session') sessionStates.invalidate(id)
  else if (kind === 'api_key') invalidateApiKey(id)
}

/**
 * Keeps this process's credential caches (auth-cache.ts) true to the database on every node: a user
 * deactivated, a session or an API key revoked on any node (or by the CLI, or in SQL) is dropped here when its
 * transaction commits, through the trigger's notification. The node that made the change has already dropped
 * it before it answers; another node drops it when the notification arrives (a PostgreSQL backend wake-up and
 * one network hop later), not after a TTL. While the listener is disconnected, notifications are missed: the
 * caches are then off (every check reads the database) until it listens again.
 */
export const authCacheSyncPlugin = fp(
  async (app) => {
    const self = {}
    const onChange = (listening: boolean) => {
      if (listening) deaf.delete(self)
      else deaf.add(self)
      applyDeafness()
    }
    app.notifications.onListeningChange(onChange)
    onChange(app.notifications.isListening())
    await app.notifications.listen(AUTH_CHANNEL, (payload) => {
      applyAuthChange(payload)
      app.log.debug({ change: payload }, 'credential change heard: cached answer dropped')
    })
    app.addHook('onClose', async () => {
      deaf.delete(self)
      applyDeafness()
    })
  },
  { name: 'crisp-auth-cache-sync', dependencies: ['crisp-notify'] },
)
