import type { Knex } from 'knex'
import type { ClientBase, QueryResultRow } from 'pg'

/** What a unit of work sees: the instance to build its queries with, and how to run one. */
export interface PipelinedStatements {
  /** Builds the queries (its SQL only is used on the pooled path). */
  db: Knex
  /** Sends the query at once, behind those already sent, and resolves with its rows. */
  rows<R extends QueryResultRow>(query: Knex.QueryBuilder): Promise<R[]>
}

/**
 * Runs a short read-only unit of work in a transaction of its own, with `settings` (`SET LOCAL …` statements)
 * applied for that transaction only, on one pooled connection whose statements are pipelined.
 *
 * Why not `knex.transaction`: there every statement is a round trip plus several promise hops, and each round
 * trip costs a turn of a busy event loop — what reads of pages waited on (docs/BENCHMARKS.md, Export). Here
 * `BEGIN` and the settings go as one simple-protocol message, each query passed to `rows` is written to the
 * socket as soon as it is called (before the earlier ones have answered), and `COMMIT` is sent behind the last
 * one without waiting: the connection goes back to the pool when it completes (COMMIT also ends a transaction
 * that a failed statement aborted). One connection per unit of work, never two held at once, so no pool
 * deadlock at high concurrency. This uses knex's client API (`acquireConnection`/`releaseConnection`), which
 * knex does not document: kept to this one module.
 *
 * Inside a caller's transaction (`knex.isTransaction`) the plain knex path runs, in a nested transaction
 * (a savepoint) so that the settings end with it.
 */
export async function runPipelinedTransaction<T>(
  knex: Knex,
  settings: readonly string[],
  work: (statements: PipelinedStatements) => Promise<T>,
): Promise<T> {
  if (knex.isTransaction) {
    return knex.transaction(async (trx) => {
      for (const setting of settings) await trx.raw(setting)
      return work({ db: trx, rows: async (query) => await query })
    })
  }
  const client = knex.client
  const conn: ClientBase = await client.acquireConnection()
  const begun = conn.query(['BEGIN', ...settings].join('; '))
  const sent: Promise<unknown>[] = [begun]
  try {
    return await work({
      db: knex,
      rows: async <R extends QueryResultRow>(query: Knex.QueryBuilder) => {
        const { sql, bindings } = query.toSQL().toNative()
        const result = conn.query<R>(sql, [...bindings])
        sent.push(result)
        // A failed BEGIN surfaces first: nothing after it ran in the transaction.
        await begun
        return (await result).rows
      },
    })
  } finally {
    // What the work left unawaited must not surface as an unhandled rejection.
    for (const p of sent) p.catch(() => undefined)
    void conn
      .query('COMMIT')
      .catch(() => undefined)
      .finally(() => client.releaseConnection(conn))
  }
}
