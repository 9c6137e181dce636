/** TLP helpers for plugins: the core's one TLP table (TLP 2.0 ids, TLP 1.0 ids understood). */
export { isTlpMarkingId, TLP_LEVELS, TLP_MARKING_IDS, tlpFromMarkings, tlpMarkingId, type Tlp } from '../stix/tlp.js'
