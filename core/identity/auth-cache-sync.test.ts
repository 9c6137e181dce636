import t from 'tap'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import type { Notifications } from '../infra/notify.js'
import { AUTH_CHANNEL, authCacheSyncPlugin } from './auth-cache-sync.js'
import { sessionStates, userStates, type TtlCache } from './auth-cache.js'

/** A stand-in for core/infra/notify.ts: the test plays the database's notifications and the connection's state. */
function fakeNotifications() {
  const handlers = new Map<string, (payload: string) => void>()
  const stateHandlers: ((listening: boolean) => void)[] = []
  let listening = true
  const notifications: Notifications = {
    listen: async (channel, handler) => void handlers.set(channel, handler),
    onListeningChange: (handler) => void stateHandlers.push(handler),
    isListening: () => listening,
  }
  return {
    plugin: fp(
      async (app) => {
        app.decorate('notifications', notifications)
      },
      { name: 'crisp-notify' },
    ),
    notify: (channel: string, payload: string) => handlers.get(channel)?.(payload),
    setListening(value: boolean) {
      listening = value
      stateHandlers.forEach((h) => h(value))
    },
  }
}

/** How many times `load` ran for `n` reads of one key. */
async function loads<V>(cache: TtlCache<V>, key: string, n: number, value: V): Promise<number> {
  let count = 0
  for (let i = 0; i < n; i++) await cache.get(key, async () => (count++, value))
  return count
}

t.test('notifications drop cached credential answers; a deaf listener turns the caches off', async (t) => {
  const fake = fakeNotifications()
  const app = Fastify()
  await app.register(fake.plugin)
  await app.register(authCacheSyncPlugin)
  await app.ready()
  t.teardown(() => app.close())

  t.equal(await loads(userStates, 'u1', 3, null), 1, 'cached while nothing changes')
  fake.notify(AUTH_CHANNEL, 'user:u1')
  t.equal(await loads(userStates, 'u1', 2, null), 1, 'a user notification drops that user: one reload')
  t.equal(await loads(sessionStates, 's1', 2, false), 1)
  fake.notify(AUTH_CHANNEL, 'session:s1')
  t.equal(await loads(sessionStates, 's1', 2, false), 1, 'a session notification drops that session')
  fake.notify(AUTH_CHANNEL, 'user:someone-else')
  t.equal(await loads(sessionStates, 's1', 2, false), 0, 'other notifications leave it cached')

  fake.setListening(false)
  t.equal(await loads(userStates, 'u1', 3, null), 3, 'connection lost: every check reads the database')
  fake.setListening(true)
  t.equal(await loads(userStates, 'u1', 3, null), 1, 'listening again: cached again, from empty')
  t.equal(
    await loads(sessionStates, 's1', 1, false),
    1,
    'what was cached before the outage was dropped (notifications may have been missed)',
  )
})
