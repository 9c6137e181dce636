import type { AnyPluginDefinition } from '../core/plugin-api/index.js'
import authPassword from './auth-password/index.js'
import authApiKey from './auth-api-key/index.js'
import csvFeedSource from './feed-csv/index.js'
import mispFeedSource from './feed-misp/index.js'
import otxFeedSource from './feed-otx/index.js'
import stixBundleFeedSource from './feed-stix-bundle/index.js'
import taxii21FeedSource from './feed-taxii21/index.js'
import stixBundleExporter from './export-stix-bundle/index.js'
import csvExporter from './export-csv/index.js'
import mispExporter from './export-misp/index.js'
import blocklistExporter from './export-blocklist/index.js'
import suricataExporter from './export-suricata/index.js'
import trustLevelsAnonymization from './anonymize-trust-levels/index.js'

/** The built-in plugins, loaded unless disabled in the plugins file. Auth strategies are tried in this order. */
export const builtinPlugins: readonly AnyPluginDefinition[] = [
  authPassword,
  authApiKey,
  stixBundleFeedSource,
  taxii21FeedSource,
  csvFeedSource,
  mispFeedSource,
  otxFeedSource,
  stixBundleExporter,
  csvExporter,
  mispExporter,
  blocklistExporter,
  suricataExporter,
  trustLevelsAnonymization,
]
