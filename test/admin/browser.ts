import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { buildAdminBundle } from '../../admin/build-bundle.js'
import { ROOT } from '../helper.js'

export const CHROMIUM = '/usr/bin/chromium'
export const hasChromium = () => existsSync(CHROMIUM)
export const SCREENSHOTS = path.join(ROOT, 'test', 'screenshots')

/**
 * As in production: the console's components bundled beforehand (`npm run build:admin`), into a folder removed
 * with the test, so the console's start-up skips bundling.
 */
export async function prebuildConsoleBundle(t: {
  teardown(fn: () => void): void
}): ReturnType<typeof buildAdminBundle> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crisp-adminjs-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const bundle = await buildAdminBundle({ dir })
  process.env.ADMIN_JS_SKIP_BUNDLE = 'true'
  return bundle
}

/**
 * Debian's chromium, headless, with a fresh profile and no background traffic (this machine has no internet).
 * `ignoreHTTPSErrors` accepts a test's self-signed certificate.
 */
export async function launchBrowser(
  options: { ignoreHTTPSErrors?: boolean } = {},
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'crisp-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    ignoreHTTPSErrors: options.ignoreHTTPSErrors ?? false,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  mkdirSync(SCREENSHOTS, { recursive: true })
  return {
    context,
    close: async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** Page load times (navigation to the page's own content visible), printed at the end of the browser test. */
export const timings: { page: string; ms: number }[] = []

/** Goes to a console page and waits for `ready` (the SPA renders after scripts; fonts may never load offline). */
export async function visit(page: Page, url: string, ready: string, label: string): Promise<void> {
  const started = performance.now()
  await page.goto(url, { waitUntil: 'domcontentloaded' })
  await page.waitForSelector(ready, { timeout: 20_000 })
  timings.push({ page: label, ms: Math.round(performance.now() - started) })
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `admin-${name}.png`), fullPage: true })
}

export async function logIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await visit(page, `${baseUrl}/admin/login`, 'input[name="email"]', 'login')
  await page.fill('input[name="email"]', email)
  await page.fill('input[name="password"]', password)
  // The login button has no type=submit: select it by its text.
  await Promise.all([page.waitForLoadState('domcontentloaded'), page.getByRole('button', { name: /log ?in/i }).click()])
}

/** Fills a text/number/password/textarea property of an AdminJS form. */
export async function fillProperty(page: Page, property: string, value: string): Promise<void> {
  await page
    .locator(`[data-testid="property-edit-${property}"] input, [data-testid="property-edit-${property}"] textarea`)
    .first()
    .fill(value)
}

/** Picks an option of a select or reference property (react-select) by its visible text. */
export async function chooseOption(page: Page, property: string, text: string): Promise<void> {
  const field = page.locator(`[data-testid="property-edit-${property}"]`)
  await field.locator('input').first().fill(text)
  await page.locator('[class*="option"]', { hasText: text }).first().click()
}

export async function save(page: Page): Promise<void> {
  await page.locator('[data-testid="button-save"]').click()
  await page.waitForURL(/\/records\/[^/]+\/show/, { timeout: 15_000 })
}
