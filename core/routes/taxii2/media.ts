/** The one media type every TAXII 2.1 response carries. */
export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1'
/** What a collection stores (listed in `media_types`, and in manifest records). */
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1'

interface MediaRange {
  essence: string
  version: string | undefined
}

function parseMediaRange(text: string): MediaRange {
  const [essence, ...params] = text.split(';').map((p) => p.trim().toLowerCase())
  const version = params
    .map((p) => p.split('='))
    .find(([k]) => k === 'version')?.[1]
    ?.replace(/"/g, '')
  return { essence, version }
}

const isTaxii = (r: MediaRange) =>
  r.essence === 'application/taxii+json' && (r.version === undefined || r.version === '2.1')

/**
 * Accept: absent, a wildcard, or `application/taxii+json` with or without `;version=2.1`. An empty header
 * accepts nothing (RFC 9110 §12.5.1: an empty list), so it is answered 406 like any other refusal.
 */
export function acceptsTaxii(accept: string | undefined): boolean {
  if (accept === undefined) return true
  return accept
    .split(',')
    .map(parseMediaRange)
    .some((r) => isTaxii(r) || r.essence === '*/*' || r.essence === 'application/*')
}

/** Content-Type of a POST: `application/taxii+json`, with no version or version 2.1. */
export function isTaxiiContentType(contentType: string | undefined): boolean {
  return !!contentType && isTaxii(parseMediaRange(contentType))
}
