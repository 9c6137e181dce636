import type { FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import { createOrg, createUser, loginAs, type TestUser } from '../helper.js'

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

export interface OrgMembers {
  orgId: string
  viewer: TestUser & { token: string }
  publisher: TestUser & { token: string }
  admin: TestUser & { token: string }
}

/** An organization with one user of each role, logged in. */
export async function orgWithRoles(app: FastifyInstance, name: string): Promise<OrgMembers> {
  const orgId = await createOrg(app.knex, name)
  const member = async (role: TestUser['role']) => {
    const user = await createUser(app, { orgId, role })
    return { ...user, token: await loginAs(app, user) }
  }
  return { orgId, viewer: await member('viewer'), publisher: await member('publisher'), admin: await member('admin') }
}

let n = 0
/** A valid event; `severity` and the rest can be overridden. */
export function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  n++
  return {
    source: 'siem-test',
    event_type: 'network-connection',
    severity: 1,
    description: `Event ${n}`,
    occurred_at: '2026-11-30T10:00:00Z',
    ...overrides,
  }
}

export async function postEvents(
  app: FastifyInstance,
  headers: Record<string, string>,
  payload: unknown,
  contentType = 'application/json',
) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: { ...headers, 'content-type': contentType },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  })
}

/** Log lines the app wrote, parsed, whose `msg` is `msg`. */
export const logLines = (logs: string[], msg: string) =>
  logs
    .flatMap((l) => l.split('\n'))
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((l) => l.msg === msg)

/** Waits until the matching job has run for every event. */
export async function matched(knex: Knex, eventIds: string[]): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [{ n }] = await knex('security_events').whereIn('id', eventIds).whereNull('matched_at').count({ n: '*' })
    if (Number(n) === 0) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('matching did not run')
}
