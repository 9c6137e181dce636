import type { Knex } from 'knex'
import type { FastifyBaseLogger } from 'fastify'
import type { Principal } from '../../core/plugin-api/index.js'
import type { PluginRegistry } from '../../core/registry/registry.js'
import type { RunQueueContext } from '../../core/feeds/run-queue.js'
import type { SecretBox } from '../../core/infra/secret-box.js'
import type { Jobs } from '../../core/infra/jobs.js'

/** Who acts in the console: the logged-in admin with the request's IP, as the services expect. */
export type ConsoleActor = Principal & { ip?: string }
export type Fields = Record<string, unknown>
export type Call = { db: Knex; actor: ConsoleActor; input: Fields }
export type CallOn = { db: Knex; actor: ConsoleActor; id: string; input: Fields }
export type CallId = { db: Knex; actor: ConsoleActor; id: string }

/** The app's job queue (`app.jobs`), where trust changes enqueue their prefill; absent when building the bundle. */
export type TrustJobs = { jobs?: Pick<Jobs, 'enqueue'> }

/** What "run now" needs beside the call: the app's registry and feed run queue. */
export interface FeedRunDeps {
  registry: PluginRegistry
  queue: RunQueueContext
  /** Seals feed secrets at rest (`app.feedSecrets`). */
  secrets: SecretBox
}

/**
 * The service functions the console calls — the same ones the REST API calls. The console never writes a row
 * itself: every change passes these functions' validation and writes their audit entries.
 */
export interface ConsoleServices {
  organizations: {
    create(c: Call): Promise<{ id: string }>
    update(c: CallOn): Promise<unknown>
    remove(c: CallId): Promise<unknown>
  }
  users: {
    create(c: Call): Promise<{ id: string }>
    update(c: CallOn): Promise<unknown>
    resetPassword(c: CallId & { input: { password: string } }): Promise<unknown>
    deactivate(c: CallId): Promise<unknown>
  }
  trustLevels: {
    create(c: Call): Promise<{ id: string }>
    update(c: CallOn): Promise<unknown>
    remove(c: CallId): Promise<unknown>
  }
  /** With the app's job queue, a new or re-levelled trustee's stored anonymization output is prefilled. */
  trustRelationships: {
    create(c: Call & TrustJobs): Promise<{ id: string }>
    update(c: CallOn & TrustJobs): Promise<unknown>
    remove(c: CallId): Promise<unknown>
  }
  feeds: {
    create(c: Call & Pick<FeedRunDeps, 'registry' | 'secrets'>): Promise<{ id: string }>
    update(c: CallOn & Pick<FeedRunDeps, 'registry' | 'secrets'>): Promise<unknown>
    remove(c: CallId & Pick<FeedRunDeps, 'registry' | 'secrets'>): Promise<unknown>
    runNow(c: CallId & FeedRunDeps): Promise<{ id: string }>
  }
  apiKeys: { revoke(c: CallId): Promise<unknown> }
  /** Alert changes (status, reason, note) through core/alerts: the workflow, history, audit and log of REST. */
  alerts: { update(c: CallOn & { log: FastifyBaseLogger }): Promise<unknown> }
}
