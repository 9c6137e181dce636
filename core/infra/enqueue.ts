import type { Knex } from 'knex'
import type PgBoss from 'pg-boss'
import type { QueueName } from '../jobs/queues.js'

/**
 * What a producer may choose for one job. Retry, expiry, retention and dead letter are the queue's
 * (core/jobs/queues.ts): pg-boss copies them onto every job of the queue.
 */
export type EnqueueOptions = Pick<PgBoss.SendOptions, 'startAfter' | 'priority' | 'singletonKey'>

/**
 * Adds a job in the caller's transaction: it exists if and only if the transaction commits. Returns its id, or
 * null when a `singletonKey` job of a queue whose policy coalesces them (`stately`) is already waiting.
 */
export type Enqueue = (
  trx: Knex.Transaction,
  queue: QueueName,
  data: object,
  options?: EnqueueOptions,
) => Promise<string | null>

/** What pg binds: text, numbers, booleans, null and objects (dates, buffers, arrays, JSON); never a function. */
function isBindable(value: unknown): value is Knex.RawBinding {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    typeof value === 'object'
  )
}

// A quoted literal or identifier (kept, its `?` escaped), a `$n` parameter, or a bare `?`.
const SQL_TOKENS = /('(?:[^']|'')*'|"(?:[^"]|"")*")|\$(\d+)|\?/g

/**
 * pg-boss's SQL numbers its parameters (`$1`, `$2`, some used twice); knex's `raw` binds `?` in textual order
 * and reads `??` as an identifier. Each `$n` becomes a `?` with its value repeated in that order; every other
 * `?`, in a literal or not, is escaped (`\?`) so knex leaves it as it is. Values travel as bindings, never in
 * the SQL text. `undefined` (an option pg-boss leaves unset) is bound as NULL, which knex requires and pg
 * would have sent anyway. Comments and dollar-quoted bodies are not parsed: pg-boss's job statements have none.
 */
export function toKnexRaw(text: string, values: readonly unknown[]): { sql: string; bindings: Knex.RawBinding[] } {
  const bindings: Knex.RawBinding[] = []
  const sql = text.replace(SQL_TOKENS, (token, quoted: string | undefined, index: string | undefined) => {
    if (quoted !== undefined) return quoted.replaceAll('?', '\\?')
    if (index === undefined) return '\\?'
    const position = Number(index)
    if (position < 1 || position > values.length)
      throw new Error(`pg-boss SQL names parameter ${token} but passed ${values.length}`)
    const value = values[position - 1] ?? null
    if (!isBindable(value)) throw new Error(`pg-boss SQL passed a ${typeof value} as parameter ${token}`)
    bindings.push(value)
    return '?'
  })
  return { sql, bindings }
}

/**
 * A knex transaction as pg-boss's `db` option: pg-boss's statements run on the transaction's connection, so a
 * job commits or rolls back with the rows written beside it.
 */
export function transactionDb(trx: Knex.Transaction): PgBoss.Db {
  return {
    async executeSql(text, values = []) {
      const { sql, bindings } = toKnexRaw(text, values)
      const result = await trx.raw<{ rows: unknown[] }>(sql, bindings)
      return { rows: result.rows }
    },
  }
}

/**
 * The one way the platform adds a job. pg-boss inserts nothing when the queue does not exist yet (or its policy
 * refuses the job); that is an error here, so the caller's transaction rolls back instead of committing a row
 * whose job never comes (unless the job names a `singletonKey`: see {@link Enqueue}).
 */
export function createEnqueue(boss: Pick<PgBoss, 'send'>): Enqueue {
  return async (trx, queue, data, options = {}) => {
    const id = await boss.send(queue, data, { ...options, db: transactionDb(trx) })
    // A refused keyed job is one already waiting under that key: it will do this job's work.
    if (!id && options.singletonKey !== undefined) return null
    if (!id)
      throw new Error(`queue ${queue} did not accept the job (a server or worker declares the queues when it starts)`)
    return id
  }
}
