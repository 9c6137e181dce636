import t from 'tap'
import { createOrg, createUser as addUser, loginAs } from '../helper.js'
import { buildIdentityApp, count } from './fixtures.js'
import { AppError } from '../../core/infra/errors.js'
import { createOrganization, updateOrganization } from '../../core/identity/organizations.js'
import { createUser, resetPassword, updateUser } from '../../core/identity/users.js'
import { createTrustLevel, updateTrustLevel } from '../../core/trust/trust-levels.js'
import { createTrustRelationship, updateTrustRelationship } from '../../core/trust/trust-relationships.js'

/** Services called without a route (as the console, the CLI and jobs do) refuse what the REST schemas refuse. */
t.test('the identity and trust services validate their own input', async (t) => {
  const { knex } = await buildIdentityApp(t)
  const orgId = await createOrg(knex, 'Platform ops')
  const partner = await createOrg(knex, 'Partner')
  const [user] = await knex('users')
    .insert({ organization_id: orgId, email: 'u@x.test', role: 'viewer' })
    .returning('id')
  const level = await knex('trust_levels').where({ name: 'Medium trust' }).first()
  if (!level) throw new Error('the migrations seed the trust level "Medium trust"')
  const [relationship] = await knex('trust_relationships')
    .insert({ trustor_org_id: orgId, trustee_org_id: partner, trust_level_id: level.id })
    .returning('id')
  const actor = { userId: user.id, orgId, email: 'root@x.test', role: 'admin' as const }
  const db = knex
  const tables = ['organizations', 'users', 'trust_levels', 'trust_relationships', 'audit_log']
  const before = await Promise.all(tables.map((table) => count(knex, table)))

  // Each call casts its input like an untyped caller would: the compiler cannot stop these, the service must.
  const refused: [string, () => Promise<unknown>, RegExp][] = [
    [
      'organization name of spaces',
      () => createOrganization({ db, actor, input: { name: '   ' } }),
      /\/name: must not be blank/,
    ],
    [
      'organization with an unknown property',
      () => createOrganization({ db, actor, input: { name: 'X', owner: 'me' } as never }),
      /\/owner: is not a known property/,
    ],
    [
      'empty organization update',
      () => updateOrganization({ db, actor, id: orgId, input: {} }),
      /must NOT have fewer than 1 properties/,
    ],
    [
      'user with a role that does not exist',
      () =>
        createUser({
          db,
          actor,
          input: {
            organizationId: orgId,
            email: 'a@x.test',
            role: 'root' as never,
            password: 'Tangerine-Rocket-77-Lamp',
          },
        }),
      /\/role: must be one of viewer, publisher, org-admin, admin/,
    ],
    [
      'user with a non-uuid organization',
      () =>
        createUser({
          db,
          actor,
          input: { organizationId: 'ops', email: 'a@x.test', role: 'viewer', password: 'Tangerine-Rocket-77-Lamp' },
        }),
      /\/organizationId: must match format "uuid"/,
    ],
    [
      'isActive as a string',
      () => updateUser({ db, actor, id: user.id, input: { isActive: 'false' as never } }),
      /\/isActive: must be boolean/,
    ],
    [
      'a 2000-character password',
      () => resetPassword({ db, actor, id: user.id, input: { password: 'P'.repeat(2000) } }),
      /\/password: must NOT have more than 1024 characters/,
    ],
    [
      'trust level 7 with a 500-character name',
      () => createTrustLevel({ db, actor, input: { name: 'x'.repeat(500), level: 7, anonymizationLevel: 'low' } }),
      /\/name: must NOT have more than 100 characters; \/level: must be <= 5/,
    ],
    [
      'trust level 2.5',
      () => updateTrustLevel({ db, actor, id: level.id, input: { level: 2.5 } }),
      /\/level: must be integer/,
    ],
    [
      'relationship to a non-uuid organization',
      () => createTrustRelationship({ db, actor, input: { trusteeOrganizationId: 'Partner', trustLevelId: level.id } }),
      /\/trusteeOrganizationId: must match format "uuid"/,
    ],
    [
      'organization name with a NUL',
      () => createOrganization({ db, actor, input: { name: 'a\u0000b' } }),
      /\/name: must not contain NUL or unpaired surrogate/,
    ],
    [
      'description with an unpaired surrogate',
      () => updateOrganization({ db, actor, id: orgId, input: { description: 'a\ud800b' } }),
      /\/description: must not contain NUL or unpaired surrogate/,
    ],
    [
      'relationship notes of 5000 characters',
      () => updateTrustRelationship({ db, actor, id: relationship.id, input: { notes: 'n'.repeat(5000) } }),
      /\/notes: must NOT have more than 2000 characters/,
    ],
  ]
  for (const [label, call, message] of refused) {
    const err = await call().then(
      () => null,
      (e: unknown) => e,
    )
    t.ok(
      err instanceof AppError && err.statusCode === 400 && err.code === 'CRISP_VALIDATION_FAILED',
      `${label}: 400 CRISP_VALIDATION_FAILED`,
    )
    t.match((err as Error).message, message, label)
  }
  t.same(
    await Promise.all(tables.map((table) => count(knex, table))),
    before,
    'nothing written, not even an audit entry',
  )
})

t.test('REST no longer stores an unpaired surrogate as U+FFFD', async (t) => {
  const { app, knex } = await buildIdentityApp(t)
  const admin = await addUser(app, { orgId: await createOrg(knex, 'Platform ops'), role: 'admin' })
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/organizations',
    headers: { authorization: `Bearer ${await loginAs(app, admin)}`, 'content-type': 'application/json' },
    payload: '{"name":"Broken \\ud800 name"}',
  })
  t.equal(res.statusCode, 400)
  t.match(res.json().error, { code: 'CRISP_VALIDATION_FAILED', details: [{ path: '/name' }] })
  t.equal((await knex('organizations').where('name', 'like', 'Broken%')).length, 0)
})
