import t from 'tap'
import { createLoginLimiter } from '../../core/identity/login-limiter.js'
import { freshDatabase } from '../helper.js'

t.test('login limiter: 5 failures per window per key, success forgives the account only', async (t) => {
  const { knex } = await freshDatabase(t)
  const limiter = createLoginLimiter({ db: knex })
  // The window is counted on the database's clock: "time passes" by moving the recorded failures back.
  const age = (ms: number) =>
    knex.raw(`UPDATE login_failures SET failed_at = ARRAY(SELECT t - ?::interval FROM unnest(failed_at) t)`, [
      `${ms} milliseconds`,
    ])
  const keys = { ip: '1.1.1.1', account: 'A@b.test' }
  for (let i = 0; i < 4; i++) await limiter.recordFailure(keys)
  t.equal(await limiter.retryAfter(keys), 0)
  await limiter.recordFailure(keys)
  t.equal(await limiter.retryAfter(keys), 300)
  t.equal(await limiter.retryAfter({ ip: '2.2.2.2', account: 'a@B.test' }), 300, 'account key is case-insensitive')
  await age(120_000)
  t.equal(await limiter.retryAfter(keys), 180)
  await limiter.recordSuccess(keys)
  t.equal(await limiter.retryAfter({ ip: '2.2.2.2', account: keys.account }), 0, 'account forgiven')
  t.equal(await limiter.retryAfter(keys), 180, 'IP still locked')
  await age(180_001)
  t.equal(await limiter.retryAfter(keys), 0, 'window passed')
  await limiter.recordFailure(keys)
  t.equal(await limiter.retryAfter(keys), 0, 'failures that left the window no longer count')
  const [row] = await knex('login_failures').where({ key: 'ip:1.1.1.1' })
  t.equal(row.failed_at.length, 1, 'the row keeps only failures inside the window')
})

t.test('login limiter: concurrent failures (as from several nodes) all count', async (t) => {
  const { knex } = await freshDatabase(t)
  const limiters = [createLoginLimiter({ db: knex }), createLoginLimiter({ db: knex })]
  const keys = { ip: '3.3.3.3', account: 'c@d.test' }
  await Promise.all([0, 1, 2, 3].map((i) => limiters[i % 2].recordFailure(keys)))
  t.equal(await limiters[0].retryAfter(keys), 0, 'four failures: still open')
  await limiters[1].recordFailure(keys)
  t.ok((await limiters[0].retryAfter(keys)) > 0, 'the fifth, on the other limiter, locks it for both')
  const [row] = await knex('login_failures').where({ key: 'account:c@d.test' })
  t.equal(row.failed_at.length, 5)
})
