import { CSRF_COOKIE, CSRF_FIELD } from './token.js'

/**
 * The login page is a plain HTML form POST, which cannot send a header: as any POST form is submitted, this
 * copies the token cookie into a hidden field (the form data is collected after the submit event).
 */
export const CSRF_FORM_SCRIPT = `document.addEventListener('submit', function (event) {
  var form = event.target
  if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== 'post') return
  var cookie = document.cookie.match(/(?:^|;\\s*)${CSRF_COOKIE}=([^;]+)/)
  if (!cookie) return
  var field = form.querySelector('input[name="${CSRF_FIELD}"]')
  if (!field) {
    field = document.createElement('input')
    field.type = 'hidden'
    field.name = '${CSRF_FIELD}'
    form.appendChild(field)
  }
  field.value = decodeURIComponent(cookie[1])
}, true)
`
