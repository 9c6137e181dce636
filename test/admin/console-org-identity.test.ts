import assert from 'node:assert/strict'
import t from 'tap'
import { buildConsoleApp } from './console-app.js'
import { consoleAction, signedInConsole } from './console-session.js'
import { createOrg, createUser, TEST_PASSWORD } from '../helper.js'

// The console creates and edits organizations through the organization service: sectors (an array field,
// sent flattened as sectors.0, sectors.1…) and contact information reach the organization's STIX identity.
t.test(
  'console: sectors and contact information become the STIX identity; a sector outside the vocabulary is marked',
  async (t) => {
    const { app, knex } = await buildConsoleApp(t)
    const admin = await createUser(app, { orgId: await createOrg(knex, 'Platform ops'), role: 'admin' })
    const session = await signedInConsole(app, admin.email, TEST_PASSWORD)

    const created = await consoleAction(app, session, 'organizations/actions/new', {
      name: 'Console Water',
      'sectors.0': 'utilities',
      'sectors.1': 'infrastructure-water',
      contact_information: '+1 555 0100',
    })
    t.equal(created.json.notice?.type, 'success', JSON.stringify(created.json.notice))
    const row = await knex('organizations').where({ name: 'Console Water' }).first()
    assert.ok(row?.stix_identity, 'the organization is stored with its identity')
    const identity = row.stix_identity
    t.same(row.sectors, ['utilities', 'infrastructure-water'])
    t.match(row.stix_identity, {
      type: 'identity',
      name: 'Console Water',
      identity_class: 'organization',
      sectors: ['utilities', 'infrastructure-water'],
      contact_information: '+1 555 0100',
    })

    const shown = await consoleAction(app, session, `organizations/records/${row.id}/show`)
    t.match(shown.json.record.params.identity_json, identity.id, 'the show page states the identity')

    const edited = await consoleAction(app, session, `organizations/records/${row.id}/edit`, {
      name: 'Console Water',
      'sectors.0': 'utilities',
      contact_information: '+1 555 0100',
    })
    t.equal(edited.json.notice?.type, 'success', JSON.stringify(edited.json.notice))
    const after = await knex('organizations').where({ id: row.id }).first()
    assert.ok(after?.stix_identity, 'the organization keeps an identity')
    t.same(after.stix_identity.sectors, ['utilities'])
    t.ok(String(after.stix_identity.modified) > String(identity.modified), 'a new identity version')

    const refused = await consoleAction(app, session, `organizations/records/${row.id}/edit`, {
      name: 'Console Water',
      'sectors.0': 'space-piracy',
    })
    t.equal(refused.json.notice?.type, 'error')
    t.match(
      refused.json.record?.errors?.sectors?.message,
      /must be one of agriculture, .*utilities/,
      'the sectors field is marked',
    )
    t.same((await knex('organizations').where({ id: row.id }).first())?.sectors, ['utilities'], 'unchanged')
  },
)
