/** The console's default mount path; `CRISP_ADMIN_PATH` moves it (validated in config/network.ts). */
export const DEFAULT_ADMIN_ROOT = '/admin'

/** Where the console lives. Everything AdminJS serves is under `root`; its JSON API under `api`. */
export interface ConsolePaths {
  root: string
  login: string
  logout: string
  api: string
  /** The script that puts the CSRF token into plain HTML forms (`csrf/form-script.ts`). */
  csrfFormScript: string
  /** AdminJS's script bundles (`asset-cache.ts`). */
  assets: string
}

export function consolePaths(root: string = DEFAULT_ADMIN_ROOT): ConsolePaths {
  return {
    root,
    login: `${root}/login`,
    logout: `${root}/logout`,
    api: `${root}/api/`,
    csrfFormScript: `${root}/csrf-form.js`,
    assets: `${root}/frontend/assets/`,
  }
}
