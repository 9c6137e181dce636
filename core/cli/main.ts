import { ConfigError } from '../../config/load.js'
import { PluginLoadError } from '../registry/registry.js'
import { CRISP_VERSION } from '../version.js'
import { UsageError } from './args.js'
import { COMMANDS } from './commands.js'

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length))
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  return `crisp ${CRISP_VERSION}: threat-intelligence sharing platform\n\nUsage: crisp <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "crisp <command> --help" for a command's options.`
}

/** Finds the longest command name (`users create-admin` before `users`) at the start of argv. */
function findCommand(argv: string[]): { name?: string; rest: string[] } {
  for (const size of [2, 1]) {
    const name = argv.slice(0, size).join(' ')
    if (COMMANDS[name]) return { name, rest: argv.slice(size) }
  }
  return { rest: argv }
}

async function main(argv: string[]): Promise<number | 'keep-running'> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    console.log(help())
    return argv.length === 0 ? 2 : 0
  }
  if (argv[0] === '--version') {
    console.log(CRISP_VERSION)
    return 0
  }
  const { name, rest } = findCommand(argv)
  if (!name) throw new UsageError(`unknown command "${argv.join(' ')}" (run "crisp --help")`)
  const command = COMMANDS[name]
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`Usage: ${command.usage}\n\n${command.summary}`)
    return 0
  }
  return command.run(rest)
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 'keep-running') process.exit(code)
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`crisp: ${err.message}`)
      process.exit(2)
    }
    if (err instanceof ConfigError || err instanceof PluginLoadError) {
      console.error(err.message)
      process.exit(1)
    }
    console.error(err)
    process.exit(1)
  },
)
