#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so the installed command and `npm run crisp` behave the same.
import { register } from 'tsx/esm/api'

register()
await import('../core/cli/main.ts')
