import { readFileSync } from 'node:fs'
import { projectPath } from './project-root.js'

/** The platform's version, from package.json, for the API document and `crisp --version`. */
export const CRISP_VERSION: string = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')).version
