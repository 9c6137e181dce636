import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requirePermission } from '../../../auth/authenticate.js'
import { publishIndicator } from '../../../indicators/publish-indicator.js'
import { INDICATOR_KINDS, MAX_VALUE_LENGTH } from '../../../indicators/value-kind.js'
import { literalUnion } from '../../../model/one-of.js'
import { TLP_LEVELS } from '../../../stix/tlp.js'
import { actorOf, errorResponses, security, SMALL_BODY } from './schemas.js'

const Kind = literalUnion(INDICATOR_KINDS, {
  description: 'What the value is; detected when absent. An address may be a CIDR network (ipv4-addr / ipv6-addr).',
})
const IndicatorBody = Type.Object(
  {
    collectionId: Type.String({ format: 'uuid', description: "A collection of the caller's organization" }),
    value: Type.String({
      minLength: 1,
      maxLength: MAX_VALUE_LENGTH,
      description:
        'An IPv4/IPv6 address or CIDR network, domain, URL, e-mail address, MD5/SHA-1/SHA-256/SHA-512 hash or file name',
    }),
    kind: Type.Optional(Kind),
    tlp: Type.Optional(
      literalUnion(TLP_LEVELS, {
        description: 'TLP 2.0 marking of both objects; none when absent (the collection and trust alone decide)',
      }),
    ),
    confidence: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    labels: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 250 }), { maxItems: 50, uniqueItems: true }),
    ),
    validFrom: Type.Optional(Type.String({ description: 'RFC 3339 UTC timestamp; default: now' })),
    validUntil: Type.Optional(Type.String({ description: 'RFC 3339 UTC timestamp, later than validFrom' })),
  },
  { additionalProperties: false },
)
const Published = Type.Object({
  id: Type.String(),
  type: Type.String(),
  status: Type.Union([Type.Literal('new'), Type.Literal('new-version'), Type.Literal('unchanged')]),
})
const Result = Type.Object({
  collectionId: Type.String({ format: 'uuid' }),
  kind: Type.String({ description: 'The kind given or detected' }),
  value: Type.String({
    description: 'The value as stored (lowercase hashes and domains, IDNs as xn--, URLs percent-encoded)',
  }),
  pattern: Type.String({ description: 'The STIX pattern of the indicator' }),
  indicator: Published,
  observable: Published,
})

export const indicatorRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/indicators',
    {
      bodyLimit: SMALL_BODY,
      preHandler: requirePermission('objects:publish'),
      schema: {
        tags: ['objects'],
        summary:
          'Publish a STIX indicator and its observable from one value (IP, CIDR, domain, URL, e-mail, hash, file name) into a collection',
        security,
        body: IndicatorBody,
        response: { 201: Result, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await publishIndicator({ db: app.knex, actor: actorOf(req), input: req.body, jobs: app.jobs })),
  )
}
