export { storeObjects, countResults, type StoreResult } from './store-objects.js'
export { TLP_MARKING_IDS } from '../stix/tlp.js'
export { displayableId, screenObject } from './prepare.js'
export { ObjectText } from './object-text.js'
