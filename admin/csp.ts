/**
 * The Content-Security-Policy of the admin console only. AdminJS renders its pages with inline scripts (the
 * initial Redux state) and styled-components injects inline styles, so both need 'unsafe-inline'; nothing else
 * is loosened: no eval, no third-party scripts, no framing. Google Fonts are allowed as styles and fonts because
 * the UI asks for them; offline they fail quietly and the system fonts are used.
 */
export const ADMIN_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline' https://fonts.googleapis.com",
  "font-src 'self' data: https://fonts.gstatic.com",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ')
