import t from 'tap'
import { TLP_MARKING_IDS, tlpFromMarkings } from './tlp.js'

t.test('reads the TLP 2.0 marking, the most restrictive winning', async (t) => {
  t.equal(tlpFromMarkings(undefined), null)
  t.equal(tlpFromMarkings(['marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9']), null, 'TLP 1.0 white is not a TLP 2.0 marking')
  t.equal(tlpFromMarkings([TLP_MARKING_IDS.green]), 'green')
  t.equal(tlpFromMarkings([TLP_MARKING_IDS.clear, TLP_MARKING_IDS.red, TLP_MARKING_IDS.amber]), 'red')
  t.equal(tlpFromMarkings([TLP_MARKING_IDS['amber+strict'], TLP_MARKING_IDS.amber]), 'amber+strict')
})
