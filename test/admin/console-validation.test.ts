import assert from 'node:assert/strict'
import t from 'tap'
import { buildConsoleApp } from './console-app.js'
import { consoleAction, signedInConsole } from './console-session.js'
import { createOrg, createUser, loginAs, TEST_PASSWORD } from '../helper.js'

t.test('the console refuses what REST refuses, field by field, and stores nothing', async (t) => {
  const { app, knex } = await buildConsoleApp(t)
  const orgId = await createOrg(knex, 'Platform ops')
  const partner = await createOrg(knex, 'Partner')
  const admin = await createUser(app, { orgId, role: 'admin' })
  const session = await signedInConsole(app, admin.email, TEST_PASSWORD)
  const bearer = { authorization: `Bearer ${await loginAs(app, admin)}` }
  const level = await knex('trust_levels').where({ name: 'Medium trust' }).first()
  assert.ok(level, 'the default trust level exists')
  const counts = async () =>
    Promise.all(
      ['organizations', 'users', 'trust_levels', 'trust_relationships'].map(
        async (table) => (await knex(table).count({ n: '*' }).first())?.n,
      ),
    )
  const before = await counts()

  // [console action, form fields, field → expected message, the same input over REST]
  const cases: [
    string,
    Record<string, string>,
    Record<string, RegExp>,
    { url: string; method: 'POST' | 'PATCH'; payload: Record<string, unknown> },
  ][] = [
    [
      'trust_levels/actions/new',
      { name: 'x'.repeat(500), level: '3', anonymization_level: 'medium' },
      { name: /more than 100 characters/ },
      {
        url: '/api/v1/trust-levels',
        method: 'POST',
        payload: { name: 'x'.repeat(500), level: 3, anonymizationLevel: 'medium' },
      },
    ],
    [
      'trust_levels/actions/new',
      { name: '   ', level: '3', anonymization_level: 'medium' },
      { name: /must not be blank/ },
      { url: '/api/v1/trust-levels', method: 'POST', payload: { name: '   ', level: 3, anonymizationLevel: 'medium' } },
    ],
    [
      'trust_levels/actions/new',
      { name: 'Seven', level: '7', anonymization_level: 'medium' },
      { level: /must be <= 5/ },
      {
        url: '/api/v1/trust-levels',
        method: 'POST',
        payload: { name: 'Seven', level: 7, anonymizationLevel: 'medium' },
      },
    ],
    [
      'trust_levels/actions/new',
      { name: 'Words', level: 'three', anonymization_level: 'secret' },
      { level: /must be integer/, anonymization_level: /must be one of none, low, medium, high, full/ },
      {
        url: '/api/v1/trust-levels',
        method: 'POST',
        payload: { name: 'Words', level: 'three', anonymizationLevel: 'secret' },
      },
    ],
    [
      `trust_levels/records/${level.id}/edit`,
      { name: 'Medium trust', level: '7', anonymization_level: 'medium' },
      { level: /must be <= 5/ },
      { url: `/api/v1/trust-levels/${level.id}`, method: 'PATCH', payload: { level: 7 } },
    ],
    [
      'organizations/actions/new',
      { name: '   ', contact_email: 'not an email' },
      { name: /must not be blank/, contact_email: /must match format "email"/ },
      { url: '/api/v1/organizations', method: 'POST', payload: { name: '   ', contactEmail: 'not an email' } },
    ],
    [
      'users/actions/new',
      { email: 'nobody', organization_id: orgId, role: 'root', password: 'Tangerine-Rocket-77-Lamp' },
      { email: /format "email"/, role: /must be one of viewer, publisher, org-admin, admin/ },
      {
        url: '/api/v1/users',
        method: 'POST',
        payload: { email: 'nobody', organizationId: orgId, role: 'root', password: 'Tangerine-Rocket-77-Lamp' },
      },
    ],
    [
      'trust_relationships/actions/new',
      { trustor_org_id: orgId, trustee_org_id: partner, trust_level_id: level.id, notes: 'n'.repeat(2001) },
      { notes: /more than 2000 characters/ },
      {
        url: '/api/v1/trust-relationships',
        method: 'POST',
        payload: {
          trustorOrganizationId: orgId,
          trusteeOrganizationId: partner,
          trustLevelId: level.id,
          notes: 'n'.repeat(2001),
        },
      },
    ],
    [
      'trust_relationships/actions/new',
      { trustor_org_id: orgId, trustee_org_id: 'Partner', trust_level_id: level.id },
      { trustee_org_id: /format "uuid"/ },
      {
        url: '/api/v1/trust-relationships',
        method: 'POST',
        payload: { trustorOrganizationId: orgId, trusteeOrganizationId: 'Partner', trustLevelId: level.id },
      },
    ],
  ]
  for (const [action, fields, expected, rest] of cases) {
    const label = `${action} ${JSON.stringify(fields).slice(0, 80)}`
    const res = await consoleAction(app, session, action, fields)
    t.equal(res.status, 200, `${label}: an answer the form shows, not a 500`)
    t.equal(res.json.notice?.type, 'error', `${label}: error notice`)
    for (const [field, message] of Object.entries(expected))
      t.match(res.json.record?.errors?.[field]?.message, message, `${label}: ${field} marked`)
    const viaRest = await app.inject({ method: rest.method, url: rest.url, headers: bearer, payload: rest.payload })
    t.equal(viaRest.statusCode, 400, `${label}: REST refuses it too`)
    t.equal(viaRest.json().error.code, 'CRISP_VALIDATION_FAILED')
  }
  t.same(await counts(), before, 'no row added')
  t.equal(
    (await knex('trust_levels').where({ id: level.id }).first())?.level,
    level.level,
    'the edited level is unchanged',
  )
})
