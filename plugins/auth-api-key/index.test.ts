import t from 'tap'
import type { FastifyRequest } from 'fastify'
import { AuthenticationFailedError, type IdentityServices, type Principal } from '../../core/plugin-api/index.js'
import plugin from './index.js'
import { pluginContext } from '../../test/contract/plugin-context.js'

const KEY = 'crisp_0123456789ab_' + 'x'.repeat(43)
const principal: Principal = {
  userId: 'u',
  orgId: 'o',
  role: 'viewer',
  email: 'Owner@b.test',
  via: 'api-key',
  credentialId: 'k1',
}
const identity: IdentityServices = {
  verifyAccessToken: async () => null,
  verifyPassword: async () => null,
  verifyApiKey: async (key) =>
    key === KEY
      ? principal
      : key.startsWith('crisp_')
        ? Promise.reject(new AuthenticationFailedError('revoked'))
        : null,
}
const req = (headers: Record<string, string>) => ({ headers, ip: '10.0.0.1' }) as unknown as FastifyRequest
const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` })

t.test('api-key strategy', async (t) => {
  const strategy = await plugin.create(pluginContext({}, { services: { identity } }))
  t.equal(await strategy.authenticate(req({})), null)
  t.equal(await strategy.authenticate(req({ authorization: `Bearer ${KEY}` })), principal)
  t.equal(await strategy.authenticate(req({ 'x-api-key': KEY })), principal)
  t.equal(
    await strategy.authenticate(req(basic('owner@b.test', KEY))),
    principal,
    'Basic: owner email (any case) + key',
  )
  await t.rejects(
    strategy.authenticate(req(basic('someone@b.test', KEY))),
    AuthenticationFailedError,
    'Basic with another email',
  )
  await t.rejects(strategy.authenticate(req({ authorization: 'Bearer crisp_revoked' })), AuthenticationFailedError)
  t.equal(await strategy.authenticate(req(basic('a@b.test', 'a password'))), null, 'passwords are not mine')
})
