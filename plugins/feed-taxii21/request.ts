import type { TaxiiAuth, TaxiiConfig } from './config.js'

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1'

export function authHeaders(auth: TaxiiAuth): Record<string, string> {
  switch (auth.type) {
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` }
    case 'bearer':
      return { authorization: `Bearer ${auth.token}` }
    case 'api-key':
      return { [auth.header]: auth.value }
    default:
      return {}
  }
}

/** `{collection}/objects/?limit=N[&added_after=…][&next=…]` */
export function objectsUrl(config: TaxiiConfig, addedAfter: string | undefined, next: string | undefined): string {
  const base = config.collectionUrl.endsWith('/') ? config.collectionUrl : `${config.collectionUrl}/`
  const url = new URL('objects/', base)
  url.searchParams.set('limit', String(config.pageSize))
  if (addedAfter) url.searchParams.set('added_after', addedAfter)
  if (next) url.searchParams.set('next', next)
  return url.href
}
