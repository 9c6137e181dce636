import type { Knex } from 'knex'

// A matching job marks its events matched (`matched_at`). The partial index of unmatched events named that
// column, which forbade PostgreSQL's in-place (HOT) update: every event was rewritten with new entries in each
// of its indexes. Jobs now carry the ids of their events (core/events/match/match-events.ts), so the index
// goes; and pages keep half their space free so the update fits beside the row it replaces (fillfactor only
// shapes pages written from now on).
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS security_events_unmatched')
  await knex.raw('ALTER TABLE security_events SET (fillfactor = 50)')
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE security_events RESET (fillfactor)')
  await knex.raw(
    'CREATE INDEX IF NOT EXISTS security_events_unmatched ON security_events (organization_id, seq) WHERE matched_at IS NULL',
  )
}
