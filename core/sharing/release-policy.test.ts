import t from 'tap'
import { decideRelease } from './release-policy.js'
import { canReadCollection, canSeeCollection, canWriteCollection } from './collection-access.js'

const P = 'producer-org'
const R = 'reader-org'

t.test('own organization reads everything as is, whatever the TLP', async (t) => {
  for (const tlp of ['red', 'amber+strict', 'amber', 'green', 'clear', null] as const) {
    t.same(decideRelease({ tlp, producerOrgId: P, readerOrgId: P, trustLevel: null }), { release: true, own: true })
  }
})

t.test('TLP is enforced before trust', async (t) => {
  t.same(decideRelease({ tlp: 'red', producerOrgId: P, readerOrgId: R, trustLevel: 'none' }), { release: false, reason: 'tlp-red' })
  t.same(decideRelease({ tlp: 'amber+strict', producerOrgId: P, readerOrgId: R, trustLevel: 'none' }), { release: false, reason: 'tlp-amber-strict' })
  t.same(decideRelease({ tlp: 'amber', producerOrgId: P, readerOrgId: R, trustLevel: null }), { release: false, reason: 'tlp-amber-untrusted' })
  t.same(decideRelease({ tlp: 'amber', producerOrgId: P, readerOrgId: R, trustLevel: 'medium' }), { release: true, own: false, level: 'medium' })
})

t.test('green, clear and unmarked follow trust; no relationship means the default level', async (t) => {
  for (const tlp of ['green', 'clear', null] as const) {
    t.same(decideRelease({ tlp, producerOrgId: P, readerOrgId: R, trustLevel: 'low' }), { release: true, own: false, level: 'low' })
    t.same(decideRelease({ tlp, producerOrgId: P, readerOrgId: R, trustLevel: null }), { release: true, own: false, level: 'full' })
  }
  t.same(decideRelease({ tlp: 'green', producerOrgId: P, readerOrgId: R, trustLevel: null, defaultLevel: 'high' }), { release: true, own: false, level: 'high' })
})

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
