import type { FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import type { FeedRunDto } from '../../core/feeds/feed-dto.js'
import { authAs, feedRow, storedObjects, waitForRun, type Org } from './feed-helper.js'

export const TLP = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  amberStrict: 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
}

/** REST helpers for end-to-end feed runs, as `org`'s publisher: create a feed, run it, wait for the result. */
export function feedRunner(app: FastifyInstance, knex: Knex, org: Org) {
  const headers = authAs(org.publisher)
  let feeds = 0
  return {
    async makeFeed(
      source: string,
      config: Record<string, unknown>,
      collectionId = org.collectionId,
      defaultTlp = 'amber',
    ): Promise<string> {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/feeds',
        headers,
        payload: { name: `${source} feed ${++feeds}`, source, config, collectionId, defaultTlp },
      })
      if (res.statusCode !== 201) throw new Error(`create feed: ${res.statusCode} ${res.body}`)
      return res.json().id
    },
    /** Queues a run through REST, waits until it has finished, then returns it as `GET /feeds/{id}/runs` shows it. */
    async run(feedId: string): Promise<FeedRunDto> {
      const queued = await app.inject({ method: 'POST', url: `/api/v1/feeds/${feedId}/run`, headers })
      if (queued.statusCode !== 202) throw new Error(`run feed: ${queued.statusCode} ${queued.body}`)
      const runId = queued.json().id
      await waitForRun(knex, runId)
      const runs = await app.inject({ url: `/api/v1/feeds/${feedId}/runs`, headers })
      if (runs.statusCode !== 200) throw new Error(`list runs: ${runs.statusCode} ${runs.body}`)
      const body = runs.json()
      const list: FeedRunDto[] = Array.isArray(body) ? body : (body.items ?? body.runs ?? body.data)
      const found = list.find((r) => r.id === runId)
      if (!found) throw new Error(`run ${runId} not listed: ${runs.body}`)
      return found
    },
    async newCollection(): Promise<string> {
      const [{ id }] = await knex('collections')
        .insert({ organization_id: org.id, title: 'another collection' })
        .returning('id')
      return id
    },
    checkpoint: async (feedId: string): Promise<string | null> => (await feedRow(knex, feedId)).checkpoint,
    stored: (collectionId = org.collectionId) => storedObjects(knex, collectionId),
  }
}

/** Markings of a stored document. */
export const markings = (doc: Record<string, unknown>) => (doc.object_marking_refs ?? []) as string[]
