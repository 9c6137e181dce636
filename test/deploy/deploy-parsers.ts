/**
 * Small readers for the deployment files, enough for test/deploy/deploy-files.test.ts to check their structure:
 * a Dockerfile's instructions by stage, a systemd unit's keys, compose's `${VAR:-default}` interpolation.
 */

export interface DockerInstruction {
  keyword: string
  args: string
  line: number
}

export interface DockerStage {
  from: string
  name: string | undefined
  instructions: DockerInstruction[]
}

/** Instructions with continuation lines joined and comments dropped; `ARG`s before the first FROM in `globalArgs`. */
export function parseDockerfile(text: string): { globalArgs: Record<string, string>; stages: DockerStage[] } {
  const instructions: DockerInstruction[] = []
  let pending: { text: string; line: number } | undefined
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    if (!pending && (line === '' || line.startsWith('#'))) return
    if (pending && line.startsWith('#')) return
    const joined = pending ? `${pending.text} ${line}` : line
    const start = pending?.line ?? index + 1
    if (joined.endsWith('\\')) {
      pending = { text: joined.slice(0, -1).trim(), line: start }
      return
    }
    pending = undefined
    const [keyword, ...rest] = joined.split(/\s+/)
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: start })
  })
  const globalArgs: Record<string, string> = {}
  const stages: DockerStage[] = []
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [from, as, name] = instruction.args.replace(/--platform=\S+\s+/, '').split(/\s+/)
      stages.push({
        from: substitute(from, globalArgs),
        name: as?.toUpperCase() === 'AS' ? name : undefined,
        instructions: [],
      })
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [key, value = ''] = instruction.args.split('=')
      globalArgs[key] = value
    } else if (stages.length) stages[stages.length - 1].instructions.push(instruction)
  }
  return { globalArgs, stages }
}

function substitute(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{?(\w+)\}?/g, (_, name: string) => values[name] ?? '')
}

/** `ENV A=1 B=2` (and the legacy `ENV A 1`) of a stage, in order. */
export function stageEnv(stage: DockerStage): Record<string, string> {
  const env: Record<string, string> = {}
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== 'ENV') continue
    if (!args.includes('=')) {
      const [key, ...value] = args.split(/\s+/)
      env[key] = value.join(' ')
      continue
    }
    for (const match of args.matchAll(/(\w+)=("[^"]*"|\S*)/g)) env[match[1]] = match[2].replace(/^"|"$/g, '')
  }
  return env
}

/** An exec-form (`["a", "b"]`) argument list, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined
  const parsed: unknown = JSON.parse(args)
  return Array.isArray(parsed) && parsed.every((p) => typeof p === 'string') ? parsed : undefined
}

/** A systemd unit: every `Key=value` of each section, keys repeated as often as they appear. */
export function parseUnit(text: string): Record<string, { key: string; value: string }[]> {
  const sections: Record<string, { key: string; value: string }[]> = {}
  let current = ''
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    const section = /^\[(.+)\]$/.exec(line)
    if (section) {
      current = section[1]
      sections[current] ??= []
      continue
    }
    const at = line.indexOf('=')
    sections[current].push({ key: line.slice(0, at), value: line.slice(at + 1) })
  }
  return sections
}

/** Compose's `${NAME}`, `${NAME:-default}` and `${NAME-default}` with nothing set: the defaults. */
export function composeDefaults(value: string): string {
  return value.replace(
    /\$\{(\w+)(?::?-([^}]*))?\}/g,
    (_, _name: string, fallback: string | undefined) => fallback ?? '',
  )
}
