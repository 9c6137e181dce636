import t from 'tap'
import { signDownload } from '../../core/exports/download-link.js'
import { loadConfig } from '../../config/load.js'
import { buildTestApp, ROOT, testEnv } from '../helper.js'
import { seedExportWorld } from './seed.js'

/** Download links are signed with CRISP_DOWNLOAD_LINK_SECRET, never with the JWT secret. */
const { app, config } = await buildTestApp(t)
const world = await seedExportWorld(app)
const auth = { authorization: `Bearer ${world.tokens.reader}` }

t.test('a link signed with the JWT secret is refused; the same link with the download secret works', async (t) => {
  t.not(config.secrets.downloadLink, config.secrets.jwt)
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/exports',
    headers: auth,
    payload: { format: 'csv', filter: { type: 'indicator' } },
  })
  t.equal(created.statusCode, 202)
  let job = created.json()
  for (let i = 0; i < 60 && !['succeeded', 'failed'].includes(job.status); i++) {
    await new Promise((r) => setTimeout(r, 250))
    job = (await app.inject({ url: `/api/v1/exports/jobs/${job.id}`, headers: auth })).json()
  }
  t.equal(job.status, 'succeeded', JSON.stringify(job))
  const expires = Number(new URL(job.downloadUrl, 'http://x').searchParams.get('expires'))
  const link = (secret: string) => {
    const signed = signDownload(secret, job.id, new Date(expires * 1000))
    return `/api/v1/exports/jobs/${job.id}/download?expires=${signed.expires}&token=${signed.token}`
  }
  t.equal(
    link(config.secrets.downloadLink),
    job.downloadUrl.replace(/^https?:\/\/[^/]+/, ''),
    'the API signs with the download secret',
  )
  t.equal((await app.inject({ url: link(config.secrets.downloadLink) })).statusCode, 200)
  const forged = await app.inject({ url: link(config.secrets.jwt) })
  t.equal(forged.statusCode, 403)
  t.equal(forged.json().error.code, 'CRISP_EXPORT_LINK_INVALID')
})

t.test('configuration: the download secret is required in production and may not be the JWT secret', async (t) => {
  const production = testEnv({ NODE_ENV: 'production', CRISP_DOWNLOAD_LINK_SECRET: '' })
  t.throws(() => loadConfig(production, ROOT), /CRISP_DOWNLOAD_LINK_SECRET: required when NODE_ENV=production/)
  const same = testEnv({ CRISP_DOWNLOAD_LINK_SECRET: testEnv().CRISP_JWT_SECRET })
  t.throws(() => loadConfig(same, ROOT), /CRISP_DOWNLOAD_LINK_SECRET: must differ from CRISP_JWT_SECRET/)
  t.throws(() => loadConfig(testEnv({ CRISP_DOWNLOAD_LINK_SECRET: 'short' }), ROOT), /CRISP_DOWNLOAD_LINK_SECRET/)
})
