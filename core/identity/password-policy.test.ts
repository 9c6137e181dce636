import t from 'tap'
import { checkPasswordPolicy } from './password-policy.js'

t.test('password policy', async (t) => {
  t.same(checkPasswordPolicy('Tangerine-Wombat-73!'), [], 'a good password passes')
  t.match(checkPasswordPolicy('Short-1!a'), ['must be at least 12 characters'])
  t.match(checkPasswordPolicy('tangerine-wombat-73!'), ['must contain an upper-case letter'])
  t.match(checkPasswordPolicy('TANGERINE-WOMBAT-73!'), ['must contain a lower-case letter'])
  t.match(checkPasswordPolicy('Tangerine-Wombat-7!'), ['must contain at least two digits'])
  t.match(checkPasswordPolicy('TangerineWombat73'), ['must contain a symbol'])
  t.ok(checkPasswordPolicy('Password123!!').includes('is a commonly used password'), 'common word with decorations')
  t.ok(checkPasswordPolicy('Qwertyuiop12!').includes('is a commonly used password'))
  t.ok(checkPasswordPolicy('Football2024!').includes('is a commonly used password'))
  const ctx = { email: 'margaret.hamilton@nasa.test', displayName: 'Margaret Hamilton' }
  t.ok(checkPasswordPolicy('Hamilton-Apollo-11!', ctx).includes('must not contain your email name or display name'))
  t.ok(checkPasswordPolicy('MargaretHamilton11!', ctx).includes('must not contain your email name or display name'))
  t.same(checkPasswordPolicy('Tangerine-Wombat-73!', ctx), [], 'unrelated passwords are fine')
})
