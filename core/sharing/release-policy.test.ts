import t from 'tap'
import { decideRelease, relationOf, resolveAnonymizationLevel } from './release-policy.js'
import { canReadCollection, canSeeCollection, canWriteCollection } from '../collections/access-rules.js'

const P = 'producer-org'
const R = 'reader-org'

t.test('own organization reads everything as is, whatever the TLP', async (t) => {
  for (const tlp of ['red', 'amber+strict', 'amber', 'green', 'clear', null] as const) {
    t.same(decideRelease({ tlp, relation: 'own', anonymizationLevel: 'none' }), { release: true, own: true })
  }
})

t.test('TLP is enforced before trust', async (t) => {
  t.same(decideRelease({ tlp: 'red', relation: 'trusted', anonymizationLevel: 'none' }), {
    release: false,
    reason: 'tlp-red',
  })
  t.same(decideRelease({ tlp: 'amber+strict', relation: 'trusted', anonymizationLevel: 'none' }), {
    release: false,
    reason: 'tlp-amber-strict',
  })
  t.same(decideRelease({ tlp: 'amber', relation: 'untrusted', anonymizationLevel: 'full' }), {
    release: false,
    reason: 'tlp-amber-untrusted',
  })
  t.same(decideRelease({ tlp: 'amber', relation: 'trusted', anonymizationLevel: 'medium' }), {
    release: true,
    own: false,
    level: 'medium',
  })
})

t.test('green, clear and unmarked follow trust at the resolved level', async (t) => {
  for (const tlp of ['green', 'clear', null] as const) {
    t.same(decideRelease({ tlp, relation: 'trusted', anonymizationLevel: 'low' }), {
      release: true,
      own: false,
      level: 'low',
    })
    t.same(decideRelease({ tlp, relation: 'untrusted', anonymizationLevel: 'full' }), {
      release: true,
      own: false,
      level: 'full',
    })
  }
})

t.test(
  'relation and level of a collection: own as stored, trusted at the relationship, untrusted at full',
  async (t) => {
    t.equal(relationOf({ ownerOrgId: P, readerOrgId: P, trustRelationshipLevel: null }), 'own')
    t.equal(relationOf({ ownerOrgId: P, readerOrgId: R, trustRelationshipLevel: 'high' }), 'trusted')
    t.equal(relationOf({ ownerOrgId: P, readerOrgId: R, trustRelationshipLevel: null }), 'untrusted')
    t.equal(resolveAnonymizationLevel('own', null), 'none')
    for (const level of ['none', 'low', 'medium', 'high', 'full'] as const)
      t.equal(resolveAnonymizationLevel('trusted', level), level)
    t.equal(resolveAnonymizationLevel('untrusted', null), 'full')
  },
)

t.test('collection visibility, read and write', async (t) => {
  const viewer = { orgId: R, role: 'viewer' as const }
  const admin = { orgId: R, role: 'admin' as const }
  const base = { ownerOrgId: P, ownerTrustsReader: false }
  t.notOk(canSeeCollection(admin, { ...base, visibility: 'private' }), 'no admin bypass')
  t.notOk(canSeeCollection(viewer, { ...base, visibility: 'trusted' }))
  t.ok(canSeeCollection(viewer, { ...base, visibility: 'trusted', ownerTrustsReader: true }))
  t.ok(canReadCollection(viewer, { ...base, visibility: 'public' }))
  t.notOk(canWriteCollection(admin, base), 'other organizations never write')
  t.notOk(canWriteCollection({ orgId: P, role: 'viewer' }, base))
  t.ok(canWriteCollection({ orgId: P, role: 'publisher' }, base))
  t.ok(canSeeCollection({ orgId: P }, { ...base, visibility: 'private' }))
})
