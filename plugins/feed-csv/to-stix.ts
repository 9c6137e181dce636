import type { FeedItem, StixObject } from '../../core/plugin-api/index.js'
import type { CsvConfig } from './config.js'
import { detectValue } from './detect-value.js'
import type { ListEntry } from './entries.js'
import { buildIndicator, buildObservable, deterministicId } from '../../core/plugin-api/index.js'

const DAY_MS = 86_400_000

/** `2024-03-05 10:11:06` (abuse.ch, UTC), ISO or HTTP dates → STIX timestamp; undefined when unreadable. */
export function listDateToTimestamp(text: string | undefined): string | undefined {
  if (!text) return undefined
  let candidate = text.trim()
  if (/^\d{4}-\d{2}-\d{2}$/.test(candidate)) candidate += 'T00:00:00Z'
  else if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(candidate))
    candidate = `${candidate.replace(' ', 'T')}Z`
  const ms = Date.parse(candidate)
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString()
}

function renderName(template: string, vars: Record<string, string>): string {
  return template.replace(/\{([^{}]+)\}/g, (whole, key: string) => vars[key] ?? whole)
}

export interface ConvertContext {
  config: CsvConfig
  feedId: string
  /** valid_from when the entry has no date: the list's Last-Modified, else the run's start. */
  defaultTimestamp: string
}

/** An entry → its observable and its indicator, or a rejection naming the line. */
export function entryToItems(entry: ListEntry, ctx: ConvertContext): FeedItem[] {
  const detected = detectValue(entry.raw)
  if (detected === null) {
    const shown = entry.raw.length > 80 ? `${entry.raw.slice(0, 80)}…` : entry.raw
    return [
      {
        kind: 'rejected',
        reason: `line ${entry.line}: ${JSON.stringify(shown)} is not an IP address, CIDR, domain, URL, hash or email`,
        ref: `line ${entry.line}`,
      },
    ]
  }
  const { config } = ctx
  const { kind, value } = detected
  const observable = buildObservable(kind, value)
  const validFrom = listDateToTimestamp(entry.date) ?? ctx.defaultTimestamp
  const indicator: StixObject = buildIndicator({
    id: deterministicId('indicator', 'csv', ctx.feedId, kind, value),
    pattern: observable.pattern,
    name: renderName(config.name, { ...entry.row, value, type: kind }),
    created: validFrom,
    validFrom,
    validUntil:
      config.validForDays === undefined
        ? undefined
        : new Date(Date.parse(validFrom) + config.validForDays * DAY_MS).toISOString(),
    indicatorTypes: config.indicatorTypes,
    labels: config.labels,
    confidence: config.confidence,
  })
  return [
    { kind: 'object', object: observable.sco },
    { kind: 'object', object: indicator },
  ]
}
