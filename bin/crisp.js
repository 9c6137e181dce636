#!/usr/bin/env node
// The installed command runs the TypeScript sources through tsx, like `npm run crisp`. It deliberately does not
// switch to the compiled dist/: it is the development and admin-task entry point, so it must always run the
// current sources (a stale dist/ would not) and load TypeScript plugins named in a plugins file (plain Node
// cannot; the tests' fixture plugins are .ts). Long-running production processes use `npm start` and
// `npm run worker`, which compile to dist/ and run plain Node without tsx's loader thread.
import { register } from 'tsx/esm/api'

register()
await import('../core/cli/main.ts')
