import t from 'tap'
import type { FastifyRequest } from 'fastify'
import { AuthenticationFailedError, type IdentityServices, type Principal } from '../../core/plugin-api/index.js'
import plugin from './index.js'
import { pluginContext } from '../../test/contract/plugin-context.js'

const principal: Principal = { userId: 'u', orgId: 'o', role: 'viewer', email: 'a@b.test', via: 'password' }
const calls: string[] = []
const identity: IdentityServices = {
  verifyAccessToken: async (token) => (calls.push(`jwt:${token}`), principal),
  verifyPassword: async ({ email, password }) => {
    calls.push(`pw:${email}`)
    if (password !== 'right') throw new AuthenticationFailedError('Invalid email or password')
    return principal
  },
  verifyApiKey: async () => null,
}
const req = (authorization?: string) =>
  ({ headers: authorization ? { authorization } : {}, ip: '10.0.0.1' }) as unknown as FastifyRequest
const b64 = (s: string) => Buffer.from(s).toString('base64')

t.test('password strategy', async (t) => {
  const strategy = await plugin.create(pluginContext({ allowBasic: true }, { services: { identity } }))
  t.equal(await strategy.authenticate(req()), null, 'no credentials: not mine')
  t.equal(await strategy.authenticate(req('Bearer a.b.c')), principal)
  t.equal(await strategy.authenticate(req(`Basic ${b64('a@b.test:right')}`)), principal)
  await t.rejects(strategy.authenticate(req(`Basic ${b64('a@b.test:wrong')}`)), AuthenticationFailedError)
  t.equal(
    await strategy.authenticate(req(`Basic ${b64('a@b.test:crisp_0123456789ab_x')}`)),
    null,
    'API keys as Basic password are left to api-key',
  )
  t.equal(await strategy.authenticate(req('Digest abc')), null)
  t.same(calls, ['jwt:a.b.c', 'pw:a@b.test', 'pw:a@b.test'])
  const noBasic = await plugin.create(pluginContext({ allowBasic: false }, { services: { identity } }))
  t.equal(await noBasic.authenticate(req(`Basic ${b64('a@b.test:right')}`)), null, 'Basic can be switched off')
})
