/** The parts of the MISP feed format this plugin reads (MISP core format, feed flavour). */
export interface MispTag {
  name: string
}

export interface MispAttribute {
  uuid: string
  type: string
  category?: string
  value: string
  to_ids?: boolean | string
  timestamp?: string | number
  comment?: string
  first_seen?: string
  Tag?: MispTag[]
}

export interface MispObject {
  uuid?: string
  name: string
  Attribute?: MispAttribute[]
}

export interface MispEvent {
  uuid: string
  info: string
  date: string
  timestamp: string | number
  threat_level_id?: string
  Orgc?: { uuid?: string; name?: string }
  Tag?: MispTag[]
  Attribute?: MispAttribute[]
  Object?: MispObject[]
}

/** One manifest entry: enough to decide whether the event changed. */
export interface ManifestEntry {
  uuid: string
  timestamp: number
  info?: string
}

/** Epoch seconds (MISP sends strings) → STIX timestamp. */
export function epochToTimestamp(seconds: string | number | undefined, fallback: string): string {
  const n = Number(seconds)
  return seconds === undefined || !Number.isFinite(n) ? fallback : new Date(n * 1000).toISOString()
}
