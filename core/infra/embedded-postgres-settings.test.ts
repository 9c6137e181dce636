import t from 'tap'
import { embeddedServerSettings } from './embedded-postgres-settings.js'

const GB = 1024 ** 3

t.test('the embedded server takes an eighth of the memory for its buffers, between 128 MB and 2 GB', async (t) => {
  t.same(embeddedServerSettings(0.5 * GB), ['shared_buffers=128MB', 'effective_cache_size=256MB', 'max_wal_size=2GB'])
  t.same(embeddedServerSettings(8 * GB), ['shared_buffers=1024MB', 'effective_cache_size=4096MB', 'max_wal_size=2GB'])
  t.same(embeddedServerSettings(24 * GB), ['shared_buffers=2048MB', 'effective_cache_size=12288MB', 'max_wal_size=2GB'])
  t.match(embeddedServerSettings(), [/^shared_buffers=\d+MB$/, /^effective_cache_size=\d+MB$/, 'max_wal_size=2GB'])
})
