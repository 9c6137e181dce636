import { createHash } from 'node:crypto'
import type { Session } from 'fastify'
import type { Knex } from 'knex'

type Done = (err?: Error | null) => void

/** The store interface of @fastify/session (which AdminJS registers): callbacks, not promises. */
export interface ConsoleSessionStore {
  set(sessionId: string, session: Session, done: Done): void
  get(sessionId: string, done: (err: Error | null, session?: Session | null) => void): void
  destroy(sessionId: string, done: Done): void
}

/** What `JSON.stringify` of a @fastify/session session gives back: its cookie and what AdminJS set on it. */
function isStoredSession(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null || !('cookie' in value)) return false
  const { cookie } = value
  return typeof cookie === 'object' && cookie !== null
}

// The session id only as a hash: a copy of the table (a backup) holds no live console session.
const rowId = (sessionId: string) => createHash('sha256').update(sessionId).digest('hex')
const PURGE_EVERY_MS = 10 * 60_000

/**
 * The console's sessions in PostgreSQL (`console_sessions`, migration 0061) instead of @fastify/session's
 * in-memory default: a console user signed in on one API node is signed in on all of them, and a logout on
 * one (the row deleted) ends the session on all. A session past its cookie's expiry is not returned; expired
 * rows are deleted now and then by whichever node saves a session.
 */
export function createConsoleSessionStore(options: {
  knex: Knex
  defaultTtlMs: number
  onError?: (err: Error) => void
}): ConsoleSessionStore {
  const { knex } = options
  let lastPurge = 0
  const purge = () => {
    if (Date.now() - lastPurge < PURGE_EVERY_MS) return
    lastPurge = Date.now()
    knex('console_sessions')
      .where('expires_at', '<', knex.fn.now())
      .delete()
      .catch((err: Error) => options.onError?.(err))
  }
  const call = (work: Promise<unknown>, done: Done) => {
    work.then(
      () => done(),
      (err: Error) => done(err),
    )
  }
  return {
    set(sessionId, session, done) {
      const expires = session.cookie.expires
        ? new Date(session.cookie.expires)
        : new Date(Date.now() + options.defaultTtlMs)
      const row = { id: rowId(sessionId), data: JSON.stringify(session), expires_at: expires }
      call(knex('console_sessions').insert(row).onConflict('id').merge(['data', 'expires_at']), done)
      purge()
    },
    get(sessionId, done) {
      knex('console_sessions')
        .where({ id: rowId(sessionId) })
        .andWhere('expires_at', '>', knex.fn.now())
        .first('data')
        .then(
          (row?: { data: unknown }) => done(null, row && isStoredSession(row.data) ? row.data : null),
          (err: Error) => done(err),
        )
    },
    destroy(sessionId, done) {
      call(
        knex('console_sessions')
          .where({ id: rowId(sessionId) })
          .delete(),
        done,
      )
    },
  }
}
