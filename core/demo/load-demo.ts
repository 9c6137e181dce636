import { existsSync, readFileSync } from 'node:fs'
import type { Knex } from 'knex'
import { isStixBundleLike } from '../stix/types.js'
import type { Principal, StixObject } from '../plugin-api/index.js'
import { createOrganization } from '../identity/organizations.js'
import { createUser } from '../identity/users.js'
import { createTrustRelationship } from '../trust/trust-relationships.js'
import { createCollection } from '../collections/collections.js'
import { storeObjects, countResults } from '../store/index.js'
import { projectPath } from '../project-root.js'
import {
  DEMO_COLLECTIONS,
  DEMO_ORGS,
  DEMO_ROLES,
  DEMO_TRUST,
  demoIndicators,
  type DemoCollection,
  type DemoOrgKey,
} from './demo-data.js'

/** The ATT&CK for ICS subset shipped in the repository (data/demo/README.md says what it holds). */
export const ICS_ATTACK_SUBSET = projectPath('data', 'demo', 'ics-attack-18.1-subset.json')

export interface DemoLogin {
  organization: string
  email: string
  password: string
  role: string
}

export interface DemoSummary {
  logins: DemoLogin[]
  /** What this call added (0 everywhere on a second call). */
  created: { organizations: number; users: number; trustRelationships: number; collections: number; objects: number }
  /** Notes for the operator, e.g. a data file that is missing. */
  notes: string[]
}

type Created = DemoSummary['created']

/** The demo organizations as loaded: each one's id and the publisher that acts for it. */
class DemoOrgs {
  private readonly byKey = new Map<DemoOrgKey, { id: string; publisher: Principal }>()
  add(key: DemoOrgKey, org: { id: string; publisher: Principal }): void {
    this.byKey.set(key, org)
  }
  get(key: DemoOrgKey): { id: string; publisher: Principal } {
    const org = this.byKey.get(key)
    if (!org) throw new Error(`the demo data names an organization it does not define: ${key}`)
    return org
  }
}

async function ensureOrg(knex: Knex, org: (typeof DEMO_ORGS)[number], created: Created): Promise<string> {
  const found = await knex('organizations').where({ name: org.name }).first('id')
  if (found) return found.id
  created.organizations++
  return (
    await createOrganization({
      db: knex,
      actor: null,
      input: {
        name: org.name,
        description: org.description,
        contactEmail: `soc@${org.domain}`,
        sectors: [...org.sectors],
      },
    })
  ).id
}

async function ensureUser(
  knex: Knex,
  input: { orgId: string; email: string; role: (typeof DEMO_ROLES)[number]; password: string },
  created: Created,
): Promise<Principal> {
  let row = await knex('users').where({ email: input.email }).first('id', 'organization_id', 'role')
  if (!row) {
    created.users++
    const user = await createUser({
      db: knex,
      actor: null,
      input: { organizationId: input.orgId, email: input.email, role: input.role, password: input.password },
      reason: 'crisp demo',
    })
    row = { id: user.id, organization_id: input.orgId, role: input.role }
  }
  return { userId: row.id, orgId: row.organization_id, role: row.role, email: input.email, via: 'demo' }
}

async function ensureTrust(knex: Knex, orgs: DemoOrgs, created: Created): Promise<void> {
  const levels = new Map((await knex('trust_levels').select('id', 'name')).map((l) => [l.name, l.id]))
  for (const rel of DEMO_TRUST) {
    const trustor = orgs.get(rel.trustor)
    const trustee = orgs.get(rel.trustee)
    const exists = await knex('trust_relationships')
      .where({ trustor_org_id: trustor.id, trustee_org_id: trustee.id })
      .first('id')
    const levelId = levels.get(rel.level)
    if (exists || !levelId) continue
    created.trustRelationships++
    await createTrustRelationship({
      db: knex,
      actor: trustor.publisher,
      input: { trusteeOrganizationId: trustee.id, trustLevelId: levelId, notes: 'crisp demo' },
    })
  }
}

function collectionObjects(c: DemoCollection, notes: string[]): StixObject[] {
  if (c.objects === 'indicators') return demoIndicators()
  if (!existsSync(ICS_ATTACK_SUBSET)) {
    notes.push(`${ICS_ATTACK_SUBSET} is missing: the collection "${c.title}" stays empty`)
    return []
  }
  const bundle: unknown = JSON.parse(readFileSync(ICS_ATTACK_SUBSET, 'utf8'))
  if (!isStixBundleLike(bundle)) {
    notes.push(`${ICS_ATTACK_SUBSET} is not a STIX bundle: the collection "${c.title}" stays empty`)
    return []
  }
  return bundle.objects
}

async function ensureCollection(
  knex: Knex,
  c: DemoCollection,
  actor: Principal,
  created: Created,
  notes: string[],
): Promise<void> {
  let id = (await knex('collections').where({ organization_id: actor.orgId, alias: c.alias }).first('id'))?.id
  if (!id) {
    created.collections++
    id = (
      await createCollection({
        db: knex,
        actor,
        input: { title: c.title, description: c.description, alias: c.alias, visibility: c.visibility },
      })
    ).id
  }
  const objects = collectionObjects(c, notes)
  if (!objects.length) return
  const counts = countResults(await storeObjects({ db: knex, collectionId: id, producerOrgId: actor.orgId, objects }))
  created.objects += counts.new + counts['new-version']
  if (counts.rejected) notes.push(`${c.title}: ${counts.rejected} objects rejected by the store`)
}

/**
 * Loads the demo: organizations, a publisher and a viewer in each, trust relationships, a collection of
 * MITRE ATT&CK for ICS and one of indicators. Idempotent: whatever exists (by organization name, e-mail,
 * trustor/trustee, collection alias, STIX id and version) is left as it is, so a second call adds nothing.
 */
export async function loadDemo(knex: Knex): Promise<DemoSummary> {
  const created: Created = { organizations: 0, users: 0, trustRelationships: 0, collections: 0, objects: 0 }
  const notes: string[] = []
  const logins: DemoLogin[] = []
  const orgs = new DemoOrgs()
  for (const org of DEMO_ORGS) {
    const id = await ensureOrg(knex, org, created)
    let publisher: Principal | undefined
    for (const role of DEMO_ROLES) {
      const email = `${role}@${org.domain}`
      const principal = await ensureUser(knex, { orgId: id, email, role, password: org.password }, created)
      if (role === 'publisher') publisher = principal
      logins.push({ organization: org.name, email, password: org.password, role })
    }
    if (!publisher) throw new Error(`the demo organization ${org.name} has no publisher`)
    orgs.add(org.key, { id, publisher })
  }
  await ensureTrust(knex, orgs, created)
  for (const c of DEMO_COLLECTIONS) await ensureCollection(knex, c, orgs.get(c.owner).publisher, created, notes)
  return { logins, created, notes }
}

/** What `crisp demo` prints: how to log in as each demo user. */
export function formatDemoSummary(summary: DemoSummary, publicUrl: string, adminPath = '/admin'): string {
  const c = summary.created
  const lines = [
    `Demo data loaded (added ${c.organizations} organizations, ${c.users} users, ${c.trustRelationships} trust relationships, ${c.collections} collections, ${c.objects} objects).`,
    ...summary.notes.map((n) => `Note: ${n}`),
    '',
    'Log in as (POST /api/v1/auth/login, or TAXII with HTTP Basic):',
    ...summary.logins.map(
      (l) => `  ${l.email.padEnd(28)} ${l.password.padEnd(22)} ${l.role.padEnd(9)} ${l.organization}`,
    ),
    '',
    `Console: ${publicUrl}${adminPath} (platform admins)   API docs: ${publicUrl}/docs   TAXII: ${publicUrl}/taxii2/`,
    'These passwords are public: never load the demo into a platform others can reach.',
  ]
  return lines.join('\n')
}
