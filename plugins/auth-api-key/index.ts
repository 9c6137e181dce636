import { AuthenticationFailedError, defineAuthStrategy, Type } from '../../core/plugin-api/index.js'

/**
 * API keys (`crisp_<prefix>_<secret>`) as `Authorization: Bearer <key>`, as `X-API-Key: <key>`, or as the
 * password of HTTP Basic with the owner's email as username — what TAXII clients send.
 */
export default defineAuthStrategy({
  id: 'api-key',
  apiVersion: 1,
  version: '1.0.0',
  description: 'API keys: Bearer, X-API-Key or HTTP Basic password (TAXII clients)',
  configSchema: Type.Object({}, { additionalProperties: false }),
  create({ services }) {
    return {
      async authenticate(req) {
        const header = req.headers.authorization ?? ''
        const headerKey = req.headers['x-api-key']
        if (typeof headerKey === 'string') return services.identity.verifyApiKey(headerKey)
        const space = header.indexOf(' ')
        const scheme = header.slice(0, space).toLowerCase()
        const value = header.slice(space + 1).trim()
        if (scheme === 'bearer') return services.identity.verifyApiKey(value)
        if (scheme !== 'basic') return null
        const decoded = Buffer.from(value, 'base64').toString('utf8')
        const colon = decoded.indexOf(':')
        if (colon < 0) return null
        const principal = await services.identity.verifyApiKey(decoded.slice(colon + 1))
        // The username must name the key's owner: a key pasted under someone else's email is refused.
        if (principal && principal.email.toLowerCase() !== decoded.slice(0, colon).toLowerCase()) {
          throw new AuthenticationFailedError('API key does not belong to this user')
        }
        return principal
      },
    }
  },
})
