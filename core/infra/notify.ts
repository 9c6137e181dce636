import fp from 'fastify-plugin'
import pg from 'pg'
import { errorMessage } from './errors.js'

/**
 * PostgreSQL LISTEN/NOTIFY between the platform's processes: what one node changes, every node hears about at
 * the commit of the change. One dedicated connection per process (not from the pool: a pooled connection
 * goes back to the pool and stops listening).
 */
export interface Notifications {
  /** Calls `handler` with the payload of every notification on `channel`, from any process (this one too). */
  listen(channel: string, handler: (payload: string) => void): Promise<void>
  /**
   * Called with `false` when the connection is lost (notifications sent meanwhile are missed) and with `true`
   * once it listens again. Whoever keeps state derived from notifications drops it on both.
   */
  onListeningChange(handler: (listening: boolean) => void): void
  isListening(): boolean
}

declare module 'fastify' {
  interface FastifyInstance {
    notifications: Notifications
  }
}

export interface NotifyOptions {
  connectionString: string
  /** First wait before reconnecting (doubled after each failure up to `maxDelayMs`); default 200 ms. */
  minDelayMs?: number
  /** Longest wait between reconnection attempts; default 10 s. */
  maxDelayMs?: number
}

/**
 * The listening connection, reconnected with backoff after a database restart or a cut connection. On
 * reconnect it listens on every channel again before it reports `true`, so nothing falls between the two.
 */
export const notifyPlugin = fp(
  async (app, opts: NotifyOptions) => {
    const minDelay = opts.minDelayMs ?? 200
    const maxDelay = opts.maxDelayMs ?? 10_000
    const handlers = new Map<string, ((payload: string) => void)[]>()
    const stateHandlers: ((listening: boolean) => void)[] = []
    let client: pg.Client | undefined
    let listening = false
    let closing = false
    let delay = minDelay
    let retry: NodeJS.Timeout | undefined

    const setListening = (value: boolean) => {
      if (listening === value) return
      listening = value
      for (const handler of stateHandlers) handler(value)
    }
    const quote = (channel: string) => `"${channel.replaceAll('"', '""')}"`
    const dispatch = (msg: pg.Notification) => {
      for (const handler of handlers.get(msg.channel) ?? []) {
        try {
          handler(msg.payload ?? '')
        } catch (err) {
          app.log.error({ err, channel: msg.channel }, 'notification handler failed')
        }
      }
    }

    const lost = (c: pg.Client, err?: Error) => {
      if (client !== c) return
      client = undefined
      c.end().catch(() => undefined)
      setListening(false)
      if (closing) return
      app.log.warn(
        { err: err && { message: err.message } },
        'notification listener lost its database connection; reconnecting',
      )
      schedule()
    }
    const schedule = () => {
      retry = setTimeout(() => void connect(), delay)
      retry.unref()
      delay = Math.min(maxDelay, delay * 2)
    }

    async function connect(): Promise<boolean> {
      const c = new pg.Client({ connectionString: opts.connectionString, application_name: 'crisp-listen' })
      c.on('error', (err) => lost(c, err))
      c.on('end', () => lost(c))
      c.on('notification', dispatch)
      client = c
      try {
        await c.connect()
        for (const channel of handlers.keys()) await c.query(`LISTEN ${quote(channel)}`)
      } catch (err) {
        if (client === c) {
          client = undefined
          c.end().catch(() => undefined)
          if (!closing) schedule()
        }
        app.log.warn({ err: { message: errorMessage(err) } }, 'notification listener could not connect; retrying')
        return false
      }
      if (client !== c) return false
      if (delay > minDelay) app.log.info('notification listener reconnected')
      delay = minDelay
      setListening(true)
      return true
    }

    const notifications: Notifications = {
      async listen(channel, handler) {
        const known = handlers.has(channel)
        handlers.set(channel, [...(handlers.get(channel) ?? []), handler])
        if (!known && client && listening) await client.query(`LISTEN ${quote(channel)}`)
      },
      onListeningChange: (handler) => void stateHandlers.push(handler),
      isListening: () => listening,
    }
    app.decorate('notifications', notifications)
    // Boot does not wait for the database twice: the pool and migrations already needed it. A failed first
    // attempt retries in the background like any other.
    await connect()
    app.addHook('onClose', async () => {
      closing = true
      clearTimeout(retry)
      const c = client
      client = undefined
      listening = false // not an outage: nobody is told
      await c?.end().catch(() => undefined)
    })
  },
  { name: 'crisp-notify' },
)
