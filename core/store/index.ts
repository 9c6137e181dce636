export { storeObjects, countResults, type StoreResult, type StoreObjectsOptions } from './store-objects.js'
export { TLP_LEVELS, TLP_MARKING_IDS, tlpFromMarkings, type Tlp } from '../stix/tlp.js'
export { UNVERSIONED, displayableId, screenObject } from './prepare.js'
export { lockCollection } from './write-batch.js'
