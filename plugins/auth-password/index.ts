import { AuthenticationFailedError, defineAuthStrategy, Type } from '../../core/plugin-api/index.js'
import { parseAuthorization } from './credentials.js'

// API keys start with this; such Basic passwords belong to the api-key strategy, tried next.
const API_KEY_PREFIX = 'crisp_'

/**
 * Email + password: JWT access tokens (`Authorization: Bearer <jwt>`, issued by `POST /api/v1/auth/login`)
 * and HTTP Basic with the email and password. The core checks hashes, sessions and login limits.
 */
export default defineAuthStrategy({
  id: 'password',
  apiVersion: 1,
  version: '1.0.0',
  description: 'Email and password: JWT access tokens and HTTP Basic',
  configSchema: Type.Object(
    {
      allowBasic: Type.Boolean({
        default: true,
        description: 'Accept HTTP Basic with email and password (each request costs a password hash)',
      }),
    },
    { additionalProperties: false },
  ),
  create({ config, services }) {
    return {
      async authenticate(req) {
        const credentials = parseAuthorization(req.headers.authorization)
        if (!credentials) return null
        if (credentials.scheme === 'bearer') return services.identity.verifyAccessToken(credentials.token)
        if (credentials.password.startsWith(API_KEY_PREFIX)) return null
        if (!config.allowBasic) return null
        if (!credentials.username || !credentials.password)
          throw new AuthenticationFailedError('Empty HTTP Basic credentials')
        return services.identity.verifyPassword({
          email: credentials.username,
          password: credentials.password,
          ip: req.ip,
        })
      },
    }
  },
})
