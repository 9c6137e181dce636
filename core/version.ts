import { readFileSync } from 'node:fs'

/** The platform's version, from package.json, for the API document and `crisp --version`. */
export const CRISP_VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version
