import type { storeObjects } from '../store/index.js'

/** The STIX store's batch write (`core/store`), injectable so tests and benchmarks can wrap it. */
export type StoreObjects = typeof storeObjects
