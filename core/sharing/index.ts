export {
  readSharedPage,
  readSharedTextPage,
  releaseSharedSlices,
  releaseSharedTexts,
  streamSharedObjects,
  type PagePosition,
  type ReleasedText,
  type SharedPage,
  type SharedTextPage,
} from './pages.js'
export { decideRelease } from './release-policy.js'
export type { SharedObjectFilter, VersionMatch } from './shared-rows.js'
export { resolveCollectionContexts, type CollectionContext } from './reader-context.js'
export { parseStixText } from '../stix/stix-text.js'
export type { AnonymizedWriter } from './anonymized-store.js'
