import t from 'tap'
import { TLP_MARKING_IDS, tlpFromMarkings, tlpMarkingId } from './tlp.js'

t.test('reads TLP markings, the most restrictive winning', async (t) => {
  t.equal(tlpFromMarkings(undefined), null)
  t.equal(tlpFromMarkings(['marking-definition--00000000-0000-4000-8000-000000000000']), null, 'not a TLP marking')
  t.equal(tlpFromMarkings([TLP_MARKING_IDS.green]), 'green')
  t.equal(tlpFromMarkings([TLP_MARKING_IDS.clear, TLP_MARKING_IDS.red, TLP_MARKING_IDS.amber]), 'red')
  t.equal(tlpFromMarkings([TLP_MARKING_IDS['amber+strict'], TLP_MARKING_IDS.amber]), 'amber+strict')
})

t.test('TLP 1.0 markings restrict sharing like their TLP 2.0 successors', async (t) => {
  t.equal(tlpFromMarkings(['marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed']), 'red', 'TLP 1.0 RED')
  t.equal(tlpFromMarkings(['marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9']), 'clear', 'TLP 1.0 WHITE')
  t.equal(tlpFromMarkings([TLP_MARKING_IDS.green, 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82']), 'amber')
})

t.test('labels map to TLP 2.0 marking ids', async (t) => {
  t.equal(tlpMarkingId('TLP:AMBER+STRICT'), TLP_MARKING_IDS['amber+strict'])
  t.equal(tlpMarkingId(' tlp:white '), TLP_MARKING_IDS.clear)
  t.equal(tlpMarkingId('red'), TLP_MARKING_IDS.red)
  t.equal(tlpMarkingId('tlp:ex:chr'), undefined)
})
