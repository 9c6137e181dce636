/** Where the console lives. Everything AdminJS serves is under ADMIN_ROOT; its JSON API under ADMIN_API. */
export const ADMIN_ROOT = '/admin'
export const ADMIN_LOGIN = `${ADMIN_ROOT}/login`
export const ADMIN_LOGOUT = `${ADMIN_ROOT}/logout`
export const ADMIN_API = `${ADMIN_ROOT}/api/`
/** The script that puts the CSRF token into plain HTML forms (`csrf/form-script.ts`). */
export const CSRF_FORM_SCRIPT_PATH = `${ADMIN_ROOT}/csrf-form.js`
