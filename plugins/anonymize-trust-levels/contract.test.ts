import t from 'tap'
import { runAnonymizationStrategyContract } from '../../test/contract/anonymization-strategy.js'
import stripText from '../../test/fixtures/anonymize-strip-text/index.js'
import trustLevels, { anonymizationExtensionDefinition } from './index.js'

t.test('trust-levels (platform scope)', (t) => runAnonymizationStrategyContract(t, { definition: trustLevels }))
t.test('trust-levels (recipient scope, labels kept)', (t) =>
  runAnonymizationStrategyContract(t, {
    definition: trustLevels,
    config: { pseudonymScope: 'recipient', preserveLabels: true },
    samples: [anonymizationExtensionDefinition],
  }),
)
t.test('third-party fixture strip-text', (t) => runAnonymizationStrategyContract(t, { definition: stripText }))
