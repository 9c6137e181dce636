/** A command-line usage error: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export interface ParsedArgs {
  positionals: string[]
  flags: Record<string, string | true>
}

/** `--name value`, `--name=value` and boolean `--flag`; only the flags a command declares are accepted. */
export function parseArgs(argv: string[], spec: { values?: string[]; booleans?: string[] } = {}): ParsedArgs {
  const values = new Set(spec.values ?? [])
  const booleans = new Set([...(spec.booleans ?? []), 'help'])
  const positionals: string[] = []
  const flags: Record<string, string | true> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '-h') {
      flags.help = true
      continue
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg)
      continue
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2)
    if (booleans.has(name) && inline === undefined) flags[name] = true
    else if (values.has(name)) {
      const value = inline ?? argv[++i]
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`)
      flags[name] = value
    } else throw new UsageError(`unknown option --${name}`)
  }
  return { positionals, flags }
}
