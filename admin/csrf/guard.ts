import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from '../../core/infra/errors.js'
import type { ConsolePaths } from '../paths.js'
import { CSRF_FORM_SCRIPT } from './form-script.js'
import { crossOriginReason, SAFE_METHODS } from './same-origin.js'
import { CSRF_COOKIE, csrfTokenFor, presentedToken, sameToken } from './token.js'

const refused = (reason: string) => new AppError(403, 'CRISP_CSRF_REFUSED', `Console request refused: ${reason}`)

/**
 * Requests that change something: any method but GET, HEAD and OPTIONS, and every call of the JSON API —
 * AdminJS runs record actions that have no form (deactivate, revoke, run now) as GETs of that API. Matched on
 * the route, not the raw URL, so percent-encoding a path cannot slip past.
 */
const changesState = (req: FastifyRequest, paths: ConsolePaths) =>
  !SAFE_METHODS.has(req.method) || (req.routeOptions.url ?? '').startsWith(paths.api)

/**
 * The console's defence against cross-site request forgery, on top of `SameSite=Strict` cookies (which a page on
 * another port of the same host still gets): requests that change state must come from the console's own
 * origin and carry its CSRF token. Logout is a link (a GET) in AdminJS: it gets the origin check only.
 * Register after the session plugin, whose session and cookies the hooks read.
 */
export function protectFromCsrf(
  scope: FastifyInstance,
  options: { secret: string; publicUrl: string; secure: boolean; paths: ConsolePaths },
): void {
  const trustedOrigins = [new URL(options.publicUrl).origin]
  const expected = new WeakMap<FastifyRequest, string>()
  const { paths } = options

  scope.addHook('onRequest', async (req, reply) => {
    const route = req.routeOptions.url ?? ''
    if (!route.startsWith(paths.root)) return
    const token = csrfTokenFor(req, options.secret)
    expected.set(req, token)
    if (req.cookies[CSRF_COOKIE] !== token) {
      // Readable by the page's scripts (that is how axios and the form script send it back); SameSite=Strict.
      reply.setCookie(CSRF_COOKIE, token, {
        path: paths.root,
        sameSite: 'strict',
        secure: options.secure,
        httpOnly: false,
      })
    }
    if (!changesState(req, paths) && route !== paths.logout) return
    const reason = crossOriginReason(req, trustedOrigins)
    if (reason) throw refused(`not sent by the console's own pages (${reason})`)
  })

  // After body parsing: the login form sends its token as a form field.
  scope.addHook('preValidation', async (req) => {
    const token = expected.get(req)
    if (token === undefined || !changesState(req, paths)) return
    if (!sameToken(presentedToken(req), token)) throw refused('missing or wrong CSRF token')
  })

  // Cached like the console's other scripts: a page view should cost one page and its API calls.
  scope.get(paths.csrfFormScript, async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'private, max-age=300').send(CSRF_FORM_SCRIPT),
  )
}
