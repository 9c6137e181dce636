import t from 'tap'
import { createResilientJobsDb } from '../../core/infra/jobs-db.js'
import { freshDatabase } from '../helper.js'

t.test('a statement after close is dropped: it neither answers nor rejects', async (t) => {
  const { url } = await freshDatabase(t)
  const db = createResilientJobsDb({
    connectionString: url,
    max: 1,
    applicationName: 'jobs-db-test',
    onOutage: () => t.fail('no outage expected'),
    onRecovered: () => undefined,
    onIdleError: () => undefined,
  })
  t.same((await db.executeSql('SELECT 1 AS one', [])).rows, [{ one: 1 }], 'answers while open')
  await db.close()
  // pg-boss fails a job that outlived its graceful stop through this path, without awaiting it, and reads
  // rows[0] of the answer: an empty answer or a rejection would end the process.
  const late = db.executeSql('SELECT count(*) FROM pg_class', []).then(
    () => 'answered',
    () => 'rejected',
  )
  const waited = new Promise<string>((resolve) => setTimeout(() => resolve('still pending'), 300))
  t.equal(await Promise.race([late, waited]), 'still pending')
})
