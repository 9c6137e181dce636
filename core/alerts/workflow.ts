import type { Knex } from 'knex'
import type { AlertRow } from '../model/tables.js'
import type { AlertStatus } from '../model/vocabularies.js'

/** Open → Acknowledged → Resolved, and back to Open (with a reason) from either of the others. */
const NEXT: Record<AlertStatus, readonly AlertStatus[]> = {
  open: ['acknowledged'],
  acknowledged: ['resolved', 'open'],
  resolved: ['open'],
}

export const canTransition = (from: AlertStatus, to: AlertStatus) => NEXT[from].includes(to)

/** Going back to Open undoes someone's decision: it must say why. */
export const needsReason = (to: AlertStatus) => to === 'open'

type StatusTimestamps = { [K in 'acknowledged_at' | 'resolved_at']?: AlertRow[K] | Knex.Raw }

/** The timestamps a status sets (and clears: a reopened alert is no longer resolved). */
export function statusTimestamps(to: AlertStatus, now: Knex.Raw): StatusTimestamps {
  if (to === 'acknowledged') return { acknowledged_at: now }
  if (to === 'resolved') return { resolved_at: now }
  return { acknowledged_at: null, resolved_at: null }
}
