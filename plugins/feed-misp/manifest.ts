import { SourceDataError } from '../../core/plugin-api/index.js'
import type { ManifestEntry } from './misp-types.js'

/** How far a previous run got: the last event processed, in (timestamp, uuid) order. */
export interface MispCheckpoint {
  timestamp: number
  uuid: string
}

export function parseCheckpoint(checkpoint: string | null): MispCheckpoint | null {
  if (checkpoint === null) return null
  try {
    const parsed = JSON.parse(checkpoint) as Partial<MispCheckpoint>
    return typeof parsed.timestamp === 'number'
      ? { timestamp: parsed.timestamp, uuid: String(parsed.uuid ?? '') }
      : null
  } catch {
    return null // an unreadable checkpoint only costs one full pull
  }
}

function compare(a: MispCheckpoint, b: MispCheckpoint): number {
  return a.timestamp - b.timestamp || (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0)
}

/**
 * The events of a manifest to process, oldest change first, after the checkpoint. Ordering ties by uuid
 * makes the checkpoint exact even when several events share a timestamp.
 */
export function eventsToProcess(manifest: unknown, after: MispCheckpoint | null): ManifestEntry[] {
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new SourceDataError('manifest.json is not an object of event uuid → event summary')
  }
  const entries: ManifestEntry[] = []
  for (const [uuid, summary] of Object.entries(manifest as Record<string, { timestamp?: unknown; info?: string }>)) {
    const timestamp = Number(summary?.timestamp)
    if (!Number.isFinite(timestamp)) throw new SourceDataError(`manifest.json: event ${uuid} has no numeric timestamp`)
    entries.push({ uuid, timestamp, info: summary.info })
  }
  return entries.filter((e) => after === null || compare(e, after) > 0).sort(compare)
}
