import t from 'tap'
import { buildTestApp } from '../helper.js'

t.test('GET / points to the API docs and the TAXII discovery URL, without credentials', async (t) => {
  const { app } = await buildTestApp(t, { env: { PUBLIC_URL: 'https://crisp.example.org' } })
  const res = await app.inject({ url: '/' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/html/)
  t.match(res.body, '<a href="/docs">')
  t.match(res.body, '<a href="https://crisp.example.org/taxii2/">', 'the discovery URL clients use, from PUBLIC_URL')
  t.notMatch(res.body, 'href="/admin"', 'no console link where the console is not mounted')
  t.notMatch(res.body, '<script', 'no script: the strict CSP applies unchanged')
  const docs = await app.inject({ url: '/docs/json' })
  t.ok(docs.json().paths['/']?.get, 'documented like every route')
})

t.test('with the API docs off, / does not link them', async (t) => {
  const { app } = await buildTestApp(t, { env: { CRISP_API_DOCS: 'off' } })
  const res = await app.inject({ url: '/' })
  t.notMatch(res.body, 'href="/docs"')
  t.match(res.body, '/taxii2/')
})
