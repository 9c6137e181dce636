export { storeObjects, countResults, type StoreResult, type StoreObjectsOptions } from './store-objects.js'
export { TLP_LEVELS, TLP_MARKING_IDS, tlpFromMarkings, type Tlp } from '../stix/tlp.js'
export { UNVERSIONED } from './prepare.js'
export { lockCollection } from './write-batch.js'
