import type { Knex } from 'knex'
import { recordAudit } from '../audit/record.js'
import { writableCollection } from '../collections/collections.js'
import type { Principal, Tlp } from '../plugin-api/index.js'
import { storeObjects, type StoreResult } from '../store/index.js'
import type { Jobs } from '../infra/jobs.js'
import { enqueuePrefill } from '../sharing/prefill.js'
import { compareTimestamps, isStixTimestamp } from '../stix/timestamps.js'
import { indicatorErrors } from './errors.js'
import { indicatorFromValue } from './indicator-from-value.js'
import { checkValue, detectValueKind, type IndicatorKind } from './value-kind.js'

export interface IndicatorInput {
  collectionId: string
  value: string
  /** Detected from the value when absent; when given, the value must be of this kind. */
  kind?: IndicatorKind
  tlp?: Tlp
  confidence?: number
  labels?: string[]
  validFrom?: string
  validUntil?: string
}

export interface PublishedObject {
  id: string
  type: string
  status: Exclude<StoreResult['status'], 'rejected'>
}

export interface PublishedIndicator {
  collectionId: string
  kind: IndicatorKind
  /** The value as stored (canonical form: lowercase hashes and domains, percent-encoded URLs …). */
  value: string
  pattern: string
  indicator: PublishedObject
  observable: PublishedObject
}

type Actor = Principal & { ip?: string }

function kindAndValue(input: Pick<IndicatorInput, 'kind' | 'value'>): { kind: IndicatorKind; value: string } {
  const checked = input.kind ? checkValue(input.kind, input.value) : detectValueKind(input.value)
  if (!checked.ok)
    throw input.kind
      ? indicatorErrors.invalidValue(input.kind, checked.reason)
      : indicatorErrors.unknownKind(checked.reason)
  return { kind: checked.kind, value: checked.value }
}

function checkTimes(input: Pick<IndicatorInput, 'validFrom' | 'validUntil'>, now: string): void {
  for (const field of ['validFrom', 'validUntil'] as const) {
    const v = input[field]
    if (v !== undefined && !isStixTimestamp(v))
      throw indicatorErrors.invalidTime(field, 'must be an RFC 3339 UTC timestamp such as 2026-01-31T12:00:00Z')
  }
  if (input.validUntil !== undefined && compareTimestamps(input.validUntil, input.validFrom ?? now) <= 0) {
    throw indicatorErrors.invalidTime(
      'validUntil',
      'must be later than validFrom (STIX requires valid_until > valid_from)',
    )
  }
}

/**
 * Publishes an indicator for one value, with its observable, into a collection: the same checks and the same
 * store as publishing a bundle (collection visible and writable by the actor, schema and pattern validation),
 * both objects or neither, and an `indicator.create` audit entry in the same transaction.
 */
export async function publishIndicator(opts: {
  db: Knex
  actor: Actor
  input: IndicatorInput
  /** Enqueues the prefill of the stored anonymization output (absent: not enqueued). */
  jobs?: Pick<Jobs, 'enqueue'>
}): Promise<PublishedIndicator> {
  const { db, actor, input } = opts
  const collection = await writableCollection(db, actor, input.collectionId)
  const { kind, value } = kindAndValue(input)
  const now = new Date().toISOString()
  checkTimes(input, now)
  const { indicator, observable } = indicatorFromValue({
    kind,
    value,
    tlp: input.tlp,
    confidence: input.confidence,
    labels: input.labels,
    validFrom: input.validFrom,
    validUntil: input.validUntil,
    now,
  })
  return db.transaction(async (trx) => {
    const [forIndicator, forObservable] = await storeObjects({
      db: trx,
      collectionId: collection.id,
      producerOrgId: actor.orgId,
      objects: [indicator, observable],
    })
    if (
      forObservable.status === 'rejected' &&
      /already exists with different content/.test(forObservable.message ?? '')
    )
      throw indicatorErrors.observableConflict(observable.id)
    if (opts.jobs) await enqueuePrefill(trx, opts.jobs, collection.id, [forIndicator, forObservable])
    const stored = (r: StoreResult): PublishedObject['status'] => {
      if (r.status === 'rejected') throw indicatorErrors.rejected(r.message ?? 'invalid object')
      return r.status
    }
    const published: PublishedIndicator = {
      collectionId: collection.id,
      kind,
      value,
      pattern: String(indicator.pattern),
      indicator: { id: indicator.id, type: indicator.type, status: stored(forIndicator) },
      observable: { id: observable.id, type: observable.type, status: stored(forObservable) },
    }
    await recordAudit(trx, {
      action: 'indicator.create',
      actor: { userId: actor.userId, orgId: actor.orgId, email: actor.email },
      ip: actor.ip,
      targetType: 'stix-object',
      targetId: indicator.id,
      details: { collectionId: collection.id, kind, observableId: observable.id, tlp: input.tlp ?? null },
    })
    return published
  })
}
