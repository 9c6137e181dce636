export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const
export type AlertStatus = (typeof ALERT_STATUSES)[number]

/** Open → Acknowledged → Resolved, and back to Open (with a reason) from either of the others. */
const NEXT: Record<AlertStatus, readonly AlertStatus[]> = {
  open: ['acknowledged'],
  acknowledged: ['resolved', 'open'],
  resolved: ['open'],
}

export const canTransition = (from: AlertStatus, to: AlertStatus) => NEXT[from].includes(to)

/** Going back to Open undoes someone's decision: it must say why. */
export const needsReason = (to: AlertStatus) => to === 'open'

/** The timestamps a status sets (and clears: a reopened alert is no longer resolved). */
export function statusTimestamps(to: AlertStatus, now: unknown): Record<string, unknown> {
  if (to === 'acknowledged') return { acknowledged_at: now }
  if (to === 'resolved') return { resolved_at: now }
  return { acknowledged_at: null, resolved_at: null }
}
