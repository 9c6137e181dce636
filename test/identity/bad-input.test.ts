import t from 'tap'
import { createOrg, createUser, loginAs } from '../helper.js'
import { bearer, buildIdentityApp, count } from './fixtures.js'

t.test('bad input is refused with a precise message and nothing is written', async (t) => {
  const { app, knex } = await buildIdentityApp(t)
  const org = await createOrg(knex, 'A')
  const admin = await createUser(app, { orgId: org, role: 'admin' })
  const headers = { ...bearer(await loginAs(app, admin)), 'content-type': 'application/json' }
  const tables = ['organizations', 'users', 'trust_levels', 'trust_relationships', 'api_keys', 'audit_log']
  const before = await Promise.all(tables.map((tb) => count(knex, tb)))
  const send = (method: 'POST' | 'PATCH', url: string, payload: string) => app.inject({ method, url, headers, payload })

  const malformed = await send('POST', '/api/v1/organizations', '{"name": "X",')
  t.equal(malformed.statusCode, 400)
  t.equal(malformed.json().error.code, 'CRISP_INVALID_JSON')

  const unknown = await send('POST', '/api/v1/organizations', JSON.stringify({ name: 'X', owner: 'me' }))
  t.equal(unknown.statusCode, 400)
  t.match(unknown.json().error.message, 'body: unknown property "owner"')

  const wrongType = await send(
    'POST',
    '/api/v1/trust-levels',
    JSON.stringify({ name: 'T', level: 'high', anonymizationLevel: 'low' }),
  )
  t.equal(wrongType.statusCode, 400)
  t.match(wrongType.json().error.message, 'body/level')

  const outOfRange = await send(
    'POST',
    '/api/v1/trust-levels',
    JSON.stringify({ name: 'T', level: 9, anonymizationLevel: 'low' }),
  )
  t.match(outOfRange.json().error.message, 'body/level: must be <= 5')

  const badEnum = await send(
    'POST',
    '/api/v1/users',
    JSON.stringify({ organizationId: org, email: 'a@b.test', role: 'root', password: 'Tangerine-Wombat-73!' }),
  )
  t.equal(badEnum.statusCode, 400)
  t.match(badEnum.json().error.message, 'body/role')

  const badEmail = await send(
    'POST',
    '/api/v1/users',
    JSON.stringify({ organizationId: org, email: 'not-an-email', role: 'viewer', password: 'Tangerine-Wombat-73!' }),
  )
  t.match(badEmail.json().error.message, 'body/email: must match format "email"')

  const weak = await send(
    'POST',
    '/api/v1/users',
    JSON.stringify({ organizationId: org, email: 'weak@b.test', role: 'viewer', password: 'password123' }),
  )
  t.equal(weak.statusCode, 400)
  t.equal(weak.json().error.code, 'CRISP_PASSWORD_POLICY')
  t.match(weak.json().error.message, /at least 12 characters.*upper-case.*symbol.*commonly used/)

  const emptyPatch = await send('PATCH', `/api/v1/organizations/${org}`, '{}')
  t.equal(emptyPatch.statusCode, 400)

  const badId = await app.inject({ url: '/api/v1/organizations/not-a-uuid', headers })
  t.equal(badId.statusCode, 400)
  t.match(badId.json().error.message, 'params/id')

  const badQuery = await app.inject({ url: '/api/v1/users?limit=lots', headers })
  t.equal(badQuery.statusCode, 400)
  t.match(badQuery.json().error.message, 'querystring/limit')
  const badCursor = await app.inject({ url: '/api/v1/users?cursor=xyz', headers })
  t.equal(badCursor.statusCode, 400)
  t.equal(badCursor.json().error.code, 'CRISP_INVALID_CURSOR')

  const huge = await send(
    'POST',
    '/api/v1/organizations',
    JSON.stringify({ name: 'X', description: 'x'.repeat(70 * 1024) }),
  )
  t.equal(huge.statusCode, 413)
  t.equal(huge.json().error.code, 'CRISP_BODY_TOO_LARGE')

  const after = await Promise.all(tables.map((tb) => count(knex, tb)))
  t.same(after, before, 'no row written in any table')
})
