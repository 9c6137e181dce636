// The one lint configuration of the repository, run by `npm run lint` in .ci/run and in `npm test`
// (test/architecture/lint.test.ts). Syntax-only rules: type-aware linting would repeat the full type-check that
// `npm run typecheck` already does once. Formatting is Prettier's (.prettierrc.json); eslint-config-prettier turns
// off every rule that would argue with it.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import prettier from 'eslint-config-prettier'

/**
 * Files of core/ that may use a type assertion (`x as T`), each with why. Everywhere else in core/ a value gets
 * its type from a typed table (core/model/tables.ts), a schema check or a type guard, never from a cast: a cast
 * of a database row or of parsed input is a claim nobody checks. Test files are not listed: they may assert.
 */
export const ASSERTION_EXCEPTIONS = [
  // alerts, events
  // feeds, exports, jobs, indicators
  // store, sharing, collections
  {
    file: 'core/store/sql-arrays.ts',
    why: "knex's RawBinding type lists no array holding null, which node-postgres sends as an SQL array with NULLs (the batch insert's nullable columns): the one cast, in a one-function module",
  },
  // stix, plugin-api, registry
  // identity, trust, audit, auth, infra, cli, demo, model, app
  // routes/api
  // taxii, routes/taxii2
]

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'data/**',
      '.scratch/**',
      '.test-data/**',
      'admin/.bundle/**',
      '.adminjs/**',
      'test/screenshots/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // Sanitizers match control characters on purpose (log injection, CSV/formula and STIX text scrubbing).
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        module: 'writable',
        require: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        performance: 'readonly',
      },
    },
  },
  {
    files: ['core/**/*.ts'],
    ignores: ['core/**/*.test.ts', ...ASSERTION_EXCEPTIONS.map((e) => e.file)],
    rules: {
      '@typescript-eslint/consistent-type-assertions': ['error', { assertionStyle: 'never' }],
      '@typescript-eslint/no-non-null-assertion': 'error',
    },
  },
  {
    // Route files translate HTTP to one service call and back: the SQL lives in the service (docs/architecture.md).
    files: ['core/routes/**/*.ts'],
    ignores: ['core/routes/**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.type='MemberExpression'][callee.property.name=/^(raw|transaction|where|whereIn|whereRaw|insert|first|select|del|increment|returning)$/]",
          message: 'No SQL in a route file: call a service of core/<area>/ instead.',
        },
      ],
    },
  },
  prettier,
)
