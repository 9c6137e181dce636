/**
 * No oracles (issue 12, item 2): a partner whose level anonymizes the producer's data must not be able to
 * confirm a guessed raw value through a filter or an id look-up. For each pair of guesses (one true: the
 * producer stores it; one false: it stores nothing like it) every filter and id route must answer the same
 * shape: status, error code, number of objects, `more`, `next`. The same requests made by the producer's own
 * viewer do tell the guesses apart: that is what proves they are real guesses. And the id the partner
 * received for an observable does resolve on every id route.
 */
import t from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { deterministicScoId } from '../../core/stix/ids.js'
import { TLP_MARKING_IDS } from '../../core/store/index.js'
import { buildTestApp, loginAs } from '../helper.js'
import { basic, createCollection, indicator, orgWithUsers, TAXII, trust } from '../taxii/fixtures.js'
import { MUST_HIDE, type CanaryKind, type Level } from './leak-hunter/canaries.js'

const TRUE = { ipv4: '198.51.100.77', email: 'alice.c4n4ry@corp-victim.example', domain: 'mail.corp-victim.example' }
const FALSE = { ipv4: '198.51.100.78', email: 'bob.c4n4ry@corp-victim.example', domain: 'mail.corp-other.example' }
type Guessed = keyof typeof TRUE
const SCO_TYPE: Readonly<Record<Guessed, string>> = { ipv4: 'ipv4-addr', email: 'email-addr', domain: 'domain-name' }
const TRUST_LEVEL: Readonly<Record<Level, string | null>> = {
  low: 'High trust',
  medium: 'Medium trust',
  high: 'Low trust',
  full: null,
}
const GREEN = [TLP_MARKING_IDS.green]

const scoId = (kind: Guessed, value: string) => deterministicScoId(SCO_TYPE[kind], { value })
const labelsOf = (v: typeof TRUE) => [`c2-${v.ipv4}`, `from-${v.email}`, `via-${v.domain}`]

/** What the producer stores: one indicator naming every true value, the observables, and unrelated indicators. */
function producerObjects() {
  const main = indicator({
    name: `C2 ${TRUE.ipv4}`,
    description: `Phishing from ${TRUE.email} via ${TRUE.domain}, C2 ${TRUE.ipv4}`,
    labels: [...labelsOf(TRUE), 'phishing'],
    pattern: `[ipv4-addr:value = '${TRUE.ipv4}']`,
    object_marking_refs: GREEN,
  })
  const observables = (Object.keys(TRUE) as Guessed[]).map((kind) => ({
    type: SCO_TYPE[kind],
    spec_version: '2.1',
    id: scoId(kind, TRUE[kind]),
    value: TRUE[kind],
    object_marking_refs: GREEN,
  }))
  const others = Array.from({ length: 6 }, (_, i) =>
    indicator({
      name: `Scanner ${i}`,
      description: `Mass scanning from 203.0.113.${10 + i}`,
      labels: ['phishing', `batch-${i}`],
      pattern: `[ipv4-addr:value = '203.0.113.${10 + i}']`,
      object_marking_refs: GREEN,
    }),
  )
  return [main, ...observables, ...others]
}

interface Shape {
  status: number
  error?: string
  count?: number
  more?: boolean
  next?: 'set' | null
}

/** What a response says about a guess, leaving out what differs by nature (random export ids, times). */
function shapeOf(res: LightMyRequestResponse): Shape {
  let body: Record<string, unknown> | undefined
  try {
    body = res.json()
  } catch {
    body = undefined
  }
  const error = body?.error as { code?: string } | undefined
  const list = (body?.items ??
    body?.objects ??
    body?.versions ??
    (body?.Event as { Attribute?: unknown[] } | undefined)?.Attribute) as unknown[] | undefined
  const count = list
    ? list.length
    : body
      ? body.id
        ? 1
        : 0
      : res.body.split('\n').filter((l) => l && !l.startsWith('#')).length
  return {
    status: res.statusCode,
    ...(error?.code || body?.error_code ? { error: String(error?.code ?? body?.error_code) } : {}),
    count,
    ...(typeof body?.more === 'boolean' ? { more: body.more } : {}),
    // REST pages name their cursor `nextCursor`, TAXII envelopes `next`.
    ...('nextCursor' in (body ?? {}) ? { next: body?.nextCursor ? 'set' : null } : {}),
    ...('next' in (body ?? {}) ? { next: body?.next ? 'set' : null } : {}),
  }
}

type Route = { name: string; url: (guess: string) => string; taxii?: boolean }

function routesFor(kind: CanaryKind | 'label', cid: string): Route[] {
  const taxii = `/taxii2/api/collections/${cid}`
  const e = encodeURIComponent
  if (kind === 'sco-id') {
    return [
      { name: 'REST object', url: (id) => `/api/v1/objects/${id}` },
      { name: 'REST versions', url: (id) => `/api/v1/objects/${id}/versions` },
      { name: 'REST ?id=', url: (id) => `/api/v1/objects?id=${id}` },
      { name: 'REST ?id= limit 1', url: (id) => `/api/v1/objects?id=${id}&limit=1` },
      { name: 'TAXII object', url: (id) => `${taxii}/objects/${id}/`, taxii: true },
      { name: 'TAXII versions', url: (id) => `${taxii}/objects/${id}/versions/`, taxii: true },
      { name: 'TAXII match[id]', url: (id) => `${taxii}/objects/?match[id]=${id}`, taxii: true },
      { name: 'TAXII match[id] limit 1', url: (id) => `${taxii}/objects/?match[id]=${id}&limit=1`, taxii: true },
      { name: 'TAXII manifest match[id]', url: (id) => `${taxii}/manifest/?match[id]=${id}`, taxii: true },
    ]
  }
  if (kind === 'label') {
    return [
      { name: 'REST ?labels=', url: (l) => `/api/v1/objects?labels=${e(l)}` },
      { name: 'REST ?labels= limit 1', url: (l) => `/api/v1/objects?labels=${e(l)}&limit=1` },
      { name: 'REST ?labels= in the collection', url: (l) => `/api/v1/objects?collection=${cid}&labels=${e(l)}` },
      {
        name: 'export stix-bundle ?labels=',
        url: (l) => `/api/v1/exports/stix-bundle?collection=${cid}&labels=${e(l)}`,
      },
      { name: 'export csv ?labels=', url: (l) => `/api/v1/exports/csv?labels=${e(l)}` },
      { name: 'export misp ?labels=', url: (l) => `/api/v1/exports/misp?labels=${e(l)}` },
    ]
  }
  return [
    { name: 'REST ?q=', url: (q) => `/api/v1/objects?q=${e(q)}` },
    { name: 'REST ?q= limit 1', url: (q) => `/api/v1/objects?q=${e(q)}&limit=1` },
    { name: 'REST ?q= with type', url: (q) => `/api/v1/objects?type=indicator&q=${e(q)}` },
  ]
}

/** Every (route, true guess, false guess) for a reader at `level`: only values that level must hide are guessed. */
function cases(level: Level, cid: string): { what: string; route: Route; truth: string; lie: string }[] {
  const out: { what: string; route: Route; truth: string; lie: string }[] = []
  for (const kind of Object.keys(TRUE) as Guessed[]) {
    if (!MUST_HIDE[kind].includes(level)) continue
    for (const route of routesFor(kind, cid))
      out.push({ what: `${kind} in text`, route, truth: TRUE[kind], lie: FALSE[kind] })
    const label = (v: typeof TRUE) => labelsOf(v)[Object.keys(TRUE).indexOf(kind)]
    for (const route of routesFor('label', cid))
      out.push({ what: `${kind} in a label`, route, truth: label(TRUE), lie: label(FALSE) })
    for (const route of routesFor('sco-id', cid))
      out.push({
        what: `standard id of a ${SCO_TYPE[kind]}`,
        route,
        truth: scoId(kind, TRUE[kind]),
        lie: scoId(kind, FALSE[kind]),
      })
  }
  return out
}

async function reader(app: FastifyInstance, name: string) {
  const org = await orgWithUsers(app, name)
  const token = await loginAs(app, org.viewer)
  const get = (route: Route, arg: string) =>
    app.inject({
      url: route.url(arg),
      headers: route.taxii ? { accept: TAXII, authorization: `Bearer ${token}` } : { authorization: `Bearer ${token}` },
    })
  return { org, get }
}

t.test('a partner cannot tell a true guess from a false one through any filter or id route', async (t) => {
  const { app } = await buildTestApp(t)
  const producer = await orgWithUsers(app, 'Producer')
  const cid = await createCollection(app.knex, producer.orgId, 'public', 'Shared intel')
  const pub = await app.inject({
    method: 'POST',
    url: `/api/v1/collections/${cid}/bundles`,
    headers: { authorization: basic(producer.publisher) },
    payload: { type: 'bundle', id: 'bundle--3f1c2b4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', objects: producerObjects() },
  })
  t.equal(pub.statusCode, 200)
  t.equal(pub.json().counts?.rejected, 0, 'the store accepts every object')

  const ownGet = (route: Route, arg: string) =>
    app.inject({
      url: route.url(arg),
      headers: route.taxii
        ? { accept: TAXII, authorization: basic(producer.viewer) }
        : { authorization: basic(producer.viewer) },
    })
  const controls = cases('full', cid).filter(
    (c) => c.route.name === 'REST ?q=' || c.route.name === 'REST ?labels=' || c.route.name === 'REST object',
  )
  for (const c of controls) {
    t.notSame(
      shapeOf(await ownGet(c.route, c.truth)),
      shapeOf(await ownGet(c.route, c.lie)),
      `control: the producer's viewer tells them apart (${c.what}, ${c.route.name})`,
    )
  }

  for (const level of ['low', 'medium', 'high', 'full'] as const) {
    const partner = await reader(app, `Partner at ${level}`)
    const trustLevel = TRUST_LEVEL[level]
    if (trustLevel) await trust(app.knex, producer.orgId, partner.org.orgId, trustLevel)
    const differing: string[] = []
    for (const c of cases(level, cid)) {
      const truth = shapeOf(await partner.get(c.route, c.truth))
      const lie = shapeOf(await partner.get(c.route, c.lie))
      const same = JSON.stringify(truth) === JSON.stringify(lie)
      if (!same)
        differing.push(
          `${c.what}, ${c.route.name}: true guess ${JSON.stringify(truth)} vs false guess ${JSON.stringify(lie)}`,
        )
    }
    if (differing.length) t.comment(`${level}: answers that confirm a guess:\n${differing.join('\n')}`)
    t.equal(
      differing.length,
      0,
      `at ${level}: every filter and id route answers a true and a false guess alike (${cases(level, cid).length} pairs)`,
    )

    // The ids the partner received are the ones that resolve.
    const listed = (
      await partner.get({ name: 'list', url: () => `/api/v1/objects?collection=${cid}&limit=1000` }, '')
    ).json().items as { object: { id: string; type: string } }[]
    for (const kind of Object.keys(TRUE) as Guessed[]) {
      const received = listed.find((i) => i.object.type === SCO_TYPE[kind])?.object.id
      t.ok(received, `at ${level}: the partner receives the ${SCO_TYPE[kind]}`)
      if (!received) continue
      t.not(received, scoId(kind, TRUE[kind]), `at ${level}: under another id than its standard one`)
      for (const route of routesFor('sco-id', cid)) {
        const res = await partner.get(route, received)
        const shape = shapeOf(res)
        t.equal(shape.status, 200, `at ${level}: the received ${SCO_TYPE[kind]} id resolves through ${route.name}`)
        if (route.name !== 'TAXII versions')
          t.ok(res.body.includes(received), `at ${level}: ${route.name} answers with that id`)
      }
    }
  }
})
