import type { Knex } from 'knex'
import type { FastifyBaseLogger } from 'fastify'
import type { PluginRegistry } from '../../registry/registry.js'
import { getAlertSettings } from '../../alerts/settings.js'
import type { JobSender, MatchJob } from '../match-queue.js'
import type { EventObservable } from '../event-input.js'
import { enqueueWebhooks } from '../../alerts/webhook-queue.js'
import { findMatches } from './find-matches.js'
import { recordMatches } from './record-matches.js'
import { shareSightings } from './share-sightings.js'

export interface MatchDeps {
  knex: Knex
  registry: PluginRegistry
  log: FastifyBaseLogger
  jobs: JobSender
  signal?: AbortSignal
}

/** Events matched in one pass over the shared intelligence. */
const PASS_SIZE = 5000

/**
 * The `events.match` job: matches the job's events that are not matched yet, {@link PASS_SIZE} per pass. A
 * pass matches its events in one probe of what the organization receives, then records matches, alerts,
 * sightings and webhooks in one transaction and marks the events matched. A job whose events another job
 * already matched does nothing. Safe to run again.
 */
export async function matchEvents(deps: MatchDeps, job: MatchJob): Promise<{ matches: number }> {
  let matches = 0
  for (let start = 0; start < job.eventIds.length; start += PASS_SIZE) {
    deps.signal?.throwIfAborted()
    matches += await matchPass(deps, job.organizationId, job.eventIds.slice(start, start + PASS_SIZE))
  }
  return { matches }
}

async function matchPass(deps: MatchDeps, organizationId: string, eventIds: readonly string[]): Promise<number> {
  const { knex, log } = deps
  // By primary key: no index of unmatched events, so that marking them matched is an in-place update
  // (migration 0054).
  const events: { id: string; observables: EventObservable[] }[] = await knex('security_events')
    .whereRaw('id = ANY(?::uuid[])', [[...eventIds]])
    .where({ organization_id: organizationId })
    .whereNull('matched_at')
    .select('id', 'observables')
  if (!events.length) return 0
  const found = await findMatches({ knex, registry: deps.registry, organizationId, events, signal: deps.signal })
  const outcome = await knex.transaction(async (trx) => {
    const settings = await getAlertSettings(trx, organizationId)
    const recorded = await recordMatches(trx, found, settings)
    const sightings = await shareSightings(trx, recorded.fresh, settings)
    await enqueueWebhooks(
      trx,
      deps.jobs,
      recorded.createdAlerts.map((a) => a.id),
    )
    await trx.raw('UPDATE security_events SET matched_at = now() WHERE id = ANY(?::uuid[])', [events.map((e) => e.id)])
    return { recorded, sightings }
  })
  for (const m of outcome.recorded.fresh) {
    log.info(
      { eventId: m.eventId, stixId: m.stixId, collectionId: m.collectionId, organizationId },
      'security event matched shared intelligence',
    )
  }
  for (const a of outcome.recorded.createdAlerts)
    log.warn(
      { alertId: a.id, eventId: a.eventId, organizationId },
      'alert created automatically (match with shared intelligence)',
    )
  for (const [alertId, [from, to]] of outcome.recorded.raised)
    log.info({ alertId, from, to }, 'alert severity raised by a match')
  for (const s of outcome.sightings) {
    if ('sightingId' in s)
      log.info({ sightingId: s.sightingId, matchId: s.matchId }, 'sighting shared back to the producer')
    else log.info({ matchId: s.matchId, reason: s.skipped }, 'sighting not shared')
  }
  return outcome.recorded.fresh.length
}
