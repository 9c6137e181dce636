import t from 'tap'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { buildTestApp } from '../helper.js'
import { seedExportWorld } from './seed.js'

// The file of an export job and its signed link (usable without login for 24 h) are secrets of the user who
// asked. Before: the file was created 0644 and the link, token included, was written to the request log.

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crisp-export-privacy-'))
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
const { app, logs } = await buildTestApp(t, { env: { CRISP_DATA_DIR: dataDir } })
const world = await seedExportWorld(app)
const auth = { authorization: `Bearer ${world.tokens.reader}` }

t.test('an export file is readable by its owner only; its download link is not logged', async (t) => {
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
  const exportsDir = path.join(dataDir, 'exports')
  t.equal(statSync(exportsDir).mode & 0o777, 0o700, 'the exports folder is owner-only')
  t.equal(statSync(path.join(exportsDir, `${job.id}.csv`)).mode & 0o777, 0o600, 'the file is owner-only')

  const download = await app.inject({ url: job.downloadUrl })
  t.equal(download.statusCode, 200)
  const token = new URL(job.downloadUrl, 'http://x').searchParams.get('token') as string
  const text = logs.join('')
  t.ok(text.includes(`/api/v1/exports/jobs/${job.id}/download?expires=`), 'the download request is logged')
  t.notOk(text.includes(token), 'without its token')
  t.ok(text.includes('token=[redacted]'))
})
