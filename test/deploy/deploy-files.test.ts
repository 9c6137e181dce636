/**
 * The deployment files (Dockerfile, compose.yaml, deploy/*) are linted and checked for the properties
 * docs/deployment.md promises: multi-stage, non-root, read-only-root friendly, secrets only through `*_FILE`,
 * hardened systemd units. Each configuration they give CRISP is booted through loadConfig, so a secret the
 * platform requires in production and the files forget fails here. Tools run where present: `docker build` when a
 * daemon answers, `docker compose config`, `systemd-analyze verify`, `nginx -t`.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { parse as parseYaml } from 'yaml'
import { validate as lintDockerfile } from 'dockerfile-utils'
import { DCLinter } from 'dclint'
import { loadConfig } from '../../config/load.js'
import { secretVariableNames } from '../../config/secret-files.js'
import { ROOT } from '../paths.js'
import { platformNodeOptions } from '../../bench/platform-flags.js'
import { selfSignedCert } from '../reverse-proxy.js'
import { composeDefaults, execForm, parseDockerfile, parseUnit, stageEnv } from './deploy-parsers.js'

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8')
const SECRETS = secretVariableNames()
const has = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore' }).status === 0
const tmp = mkdtempSync(path.join(os.tmpdir(), 'crisp-deploy-'))
t.teardown(() => rmSync(tmp, { recursive: true, force: true }))

const dockerfile = parseDockerfile(read('Dockerfile'))
const runtime = dockerfile.stages[dockerfile.stages.length - 1]
const runtimeEnv = stageEnv(runtime)
const instructions = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword)

/**
 * How production launches the platform, from `npm start`: the compiled CLI and the options given to `node` (module
 * conditions and V8 options, which V8 reads only at start: docs/operations.md "Memory"). Every other launcher
 * repeats them.
 */
const LAUNCH = {
  flags: platformNodeOptions(),
  cli: 'dist/core/cli/main.js',
  worker: (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.worker,
}

t.test('npm run worker launches the platform as npm start does', async (t) => {
  t.ok(LAUNCH.flags.includes('--conditions=crisp-compiled'), 'the compiled build resolves crisp/plugin-api to dist/')
  t.ok(LAUNCH.flags.includes('--max-semi-space-size=8'), 'a young generation of 8 MB semi-spaces')
  t.equal(
    LAUNCH.worker,
    `npm run build --silent && node ${[...LAUNCH.flags, LAUNCH.cli].join(' ')} worker`,
    'package.json worker',
  )
})

/** Boots loadConfig with `env` as a production process would see it; the secret files are made up here. */
function bootsWith(t: Test, env: Record<string, string>, what: string): void {
  try {
    const config = loadConfig({ ...env, CRISP_DATA_DIR: mkdtempSync(path.join(tmp, 'data-')) }, ROOT)
    t.equal(config.env, 'production', `${what}: production configuration`)
    t.ok(config.databaseUrl, `${what}: an external database (the embedded one is for development)`)
  } catch (err) {
    t.fail(`${what}: boots without configuration errors: ${(err as Error).message}`)
  }
}

/** A secret file for the named variable or credential: a database URL or a fresh random key. */
function makeSecretFile(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true })
  const file = path.join(dir, name)
  writeFileSync(
    file,
    /database_url/i.test(name)
      ? 'postgres://crisp:pw@postgres:5432/crisp\n'
      : `${randomBytes(36).toString('base64url')}\n`,
  )
  return file
}

t.test('Dockerfile: multi-stage, pinned, non-root, health-checked, no secrets', async (t) => {
  t.ok(dockerfile.stages.length >= 2, 'at least a build and a runtime stage')
  for (const stage of dockerfile.stages) {
    t.match(stage.from, /^[\w./-]+:[\w.-]+$/, `${stage.name}: FROM has an explicit tag (${stage.from})`)
    t.notMatch(stage.from, /:latest$/, `${stage.name}: not :latest`)
  }
  t.equal(runtime.from, 'node:20-bookworm-slim', 'the runtime is Node 20 on Debian slim')
  const build = dockerfile.stages[0].instructions.map((i) => i.args).join('\n')
  t.match(build, /npm ci --omit=dev/, 'the build installs production dependencies from the lockfile')
  t.match(build, /npm run build\b/, 'and compiles dist/')
  t.match(build, /npm run build:admin/, 'and prebuilds the console bundle (nothing is bundled at start-up)')
  t.ok(
    instructions('COPY').some((i) => i.args.includes(`--from=${dockerfile.stages[0].name}`)),
    'the runtime copies the build stage',
  )

  const user = instructions('USER').at(-1)?.args.split(':')[0]
  t.ok(user && !['root', '0'].includes(user), `the final USER is not root (${user})`)

  const healthcheck = instructions('HEALTHCHECK')
  t.equal(healthcheck.length, 1, 'one HEALTHCHECK')
  t.match(healthcheck[0]?.args, /\/(healthz|readyz)/, 'against /healthz or /readyz')
  t.notMatch(healthcheck[0]?.args, /curl|wget/, 'with node, not a tool the slim image lacks')
  t.ok(
    instructions('EXPOSE').some((i) => i.args.split(/\s+/).includes(runtimeEnv.PORT)),
    `EXPOSE matches PORT ${runtimeEnv.PORT}`,
  )
  t.equal(runtimeEnv.NODE_ENV, 'production')
  t.equal(runtimeEnv.HOST, '0.0.0.0', 'listens on every interface of the container')
  t.ok(
    instructions('VOLUME').some((i) => i.args.includes(runtimeEnv.CRISP_DATA_DIR)),
    `CRISP_DATA_DIR (${runtimeEnv.CRISP_DATA_DIR}) is a volume`,
  )

  // The entrypoint runs what `npm start` runs, without npm (npm writes to its cache, the root FS is read-only).
  t.same(
    execForm(instructions('ENTRYPOINT')[0]?.args ?? ''),
    ['node', ...LAUNCH.flags, LAUNCH.cli],
    'ENTRYPOINT is the compiled CLI, with the Node options of npm start',
  )
  t.same(execForm(instructions('CMD')[0]?.args ?? ''), ['start'], 'CMD start')

  for (const stage of dockerfile.stages) {
    const declared = [
      ...Object.keys(stageEnv(stage)),
      ...stage.instructions.filter((i) => i.keyword === 'ARG').map((i) => i.args.split('=')[0]),
    ]
    const leaked = declared.filter((name) => SECRETS.includes(name) || SECRETS.includes(name.replace(/_FILE$/, '')))
    t.same(leaked, [], `${stage.name}: no secret in ENV or ARG (they would live in the image)`)
  }

  const problems = lintDockerfile(read('Dockerfile'))
  t.same(
    problems.map((p) => `${p.range.start.line + 1}: ${p.message}`),
    [],
    'dockerfile-utils finds no problem',
  )
})

t.test('.dockerignore keeps secrets, local data and build outputs out of the context', async (t) => {
  const ignored = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
  for (const entry of ['secrets', '.env', 'node_modules', 'dist', '.data', '.git', '.adminjs'])
    t.ok(ignored.includes(entry), entry)
  for (const needed of ['core', 'config', 'admin', 'plugins', 'migrations', 'data', 'scripts', 'package.json']) {
    t.notOk(ignored.includes(needed), `${needed} is in the build context`)
  }
})

t.test('compose.yaml: PostgreSQL, API and worker, secrets only as files', async (t) => {
  const compose = parseYaml(read('compose.yaml'), { merge: true }) as ComposeFile
  t.same(Object.keys(compose.services).sort(), ['api', 'postgres', 'worker'])
  const { postgres, api, worker } = compose.services
  t.match(postgres.image, /^postgres:1[3-9]\b/, 'PostgreSQL ≥ 13 (pg-boss 10), pinned major')
  t.ok(
    postgres.volumes?.some((v) => v.endsWith(':/var/lib/postgresql/data')),
    'its data on a volume',
  )
  t.ok(postgres.environment?.POSTGRES_PASSWORD_FILE, 'its password from a file')
  t.same(api.command, ['start', '--no-workers'])
  t.same(worker.command, ['worker'])

  for (const [name, service] of Object.entries(compose.services)) {
    t.ok(service.healthcheck?.test, `${name} has a healthcheck`)
    const plain = Object.keys(service.environment ?? {}).filter((k) => SECRETS.includes(k) || k === 'POSTGRES_PASSWORD')
    t.same(plain, [], `${name}: no secret given as a plain value`)
    for (const [key, value] of Object.entries(service.environment ?? {}).filter(([k]) => k.endsWith('_FILE'))) {
      const secret = /^\/run\/secrets\/([\w-]+)$/.exec(String(value))?.[1]
      t.ok(
        secret && service.secrets?.includes(secret) && compose.secrets[secret]?.file,
        `${name}: ${key} names a compose secret it mounts`,
      )
    }
  }
  for (const [name, service] of [
    ['api', api],
    ['worker', worker],
  ] as const) {
    t.equal(service.read_only, true, `${name}: read-only root filesystem`)
    t.ok(service.tmpfs?.includes('/tmp'), `${name}: /tmp is a tmpfs`)
    t.equal(service.depends_on?.postgres?.condition, 'service_healthy', `${name} waits for a healthy PostgreSQL`)
    t.equal(service.environment?.NODE_ENV, 'production')
    t.ok(
      service.volumes?.some((v) => v.endsWith(`:${runtimeEnv.CRISP_DATA_DIR}`)),
      `${name}: the data volume at CRISP_DATA_DIR`,
    )
    t.same(service.cap_drop, ['ALL'], `${name}: no capabilities`)

    // What the container's process sees: the image's ENV, then the service's, the secret files made up here.
    const env: Record<string, string> = { ...runtimeEnv }
    for (const [key, value] of Object.entries(service.environment ?? {})) {
      const resolved = composeDefaults(String(value))
      const secret = /^\/run\/secrets\/([\w-]+)$/.exec(resolved)?.[1]
      env[key] = secret ? makeSecretFile(path.join(tmp, `compose-${name}`), secret) : resolved
    }
    bootsWith(t, env, `compose ${name}`)
  }

  const linter = new DCLinter({ rules: { 'no-build-and-image': 0 }, quiet: true, debug: false, exclude: [] })
  const [result] = linter.lintFiles([path.join(ROOT, 'compose.yaml')], false)
  type Message = { type: string; line: number; message: string }
  const errors = (result.messages as Message[]).filter((m) => m.type === 'error').map((m) => `${m.line}: ${m.message}`)
  t.same(errors, [], 'dclint (the compose specification schema) finds no error')
})

t.test(
  '`docker compose config` accepts compose.yaml',
  { skip: composeCommand() ? false : 'no docker compose here' },
  async (t) => {
    const [command, ...args] = composeCommand() as string[]
    const dir = mkdtempSync(path.join(tmp, 'compose-'))
    writeFileSync(path.join(dir, 'compose.yaml'), read('compose.yaml'))
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\n')
    for (const name of Object.keys((parseYaml(read('compose.yaml')) as ComposeFile).secrets))
      makeSecretFile(path.join(dir, 'secrets'), name)
    const run = spawnSync(command, [...args, '-f', path.join(dir, 'compose.yaml'), 'config', '-q'], {
      encoding: 'utf8',
    })
    t.equal(run.status, 0, run.stderr)
  },
)

t.test(
  'the image builds',
  { skip: has('docker', ['info']) ? false : 'no container engine answers here (docker info)', timeout: 1_200_000 },
  async (t) => {
    execFileSync('docker', ['build', '-t', 'crisp:deploy-test', ROOT], { stdio: 'inherit', timeout: 1_100_000 })
    const version = execFileSync('docker', ['run', '--rm', '--read-only', 'crisp:deploy-test', '--version'], {
      encoding: 'utf8',
    }).trim()
    t.equal(
      version,
      JSON.parse(read('package.json')).version,
      'the image runs the CLI as a non-root user on a read-only root',
    )
  },
)

t.test('systemd units: hardened, secrets as credentials read through *_FILE', async (t) => {
  for (const [file, command] of [
    ['deploy/crisp.service', 'start --no-workers'],
    ['deploy/crisp-worker.service', 'worker'],
  ] as const) {
    const unit = parseUnit(read(file))
    const service = unit.Service ?? []
    const value = (key: string) => service.filter((e) => e.key === key).map((e) => e.value)
    t.equal(
      value('ExecStart')[0],
      `/usr/bin/node ${[...LAUNCH.flags, LAUNCH.cli].join(' ')} ${command}`,
      `${file}: runs ${command} with the Node options of npm start`,
    )
    t.ok(value('User')[0] && value('User')[0] !== 'root', `${file}: a dedicated user`)
    for (const [key, expected] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['PrivateDevices', 'yes'],
      ['CapabilityBoundingSet', ''],
    ] as const) {
      t.equal(value(key)[0], expected, `${file}: ${key}=${expected}`)
    }
    t.ok(value('EnvironmentFile').length, `${file}: EnvironmentFile`)
    const environment = Object.fromEntries(
      value('Environment').map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
    )
    t.ok(
      value('ReadWritePaths').some((p) => p.split(/\s+/).includes(environment.CRISP_DATA_DIR)),
      `${file}: the data folder is writable`,
    )
    t.same(
      Object.keys(environment).filter((k) => SECRETS.includes(k)),
      [],
      `${file}: no secret in Environment=`,
    )

    const credentials = Object.fromEntries(value('LoadCredential').map((c) => c.split(':') as [string, string]))
    const credentialsDir = path.join(tmp, `credentials-${path.basename(file)}`)
    const env: Record<string, string> = Object.fromEntries(
      read('deploy/crisp.env.example')
        .split('\n')
        .filter((l) => /^\w+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    )
    for (const [key, setting] of Object.entries(environment)) {
      const credential = /^%d\/([\w-]+)$/.exec(setting)?.[1]
      if (key.endsWith('_FILE'))
        t.ok(credential && credentials[credential], `${file}: ${key} points at a loaded credential`)
      env[key] = credential ? makeSecretFile(credentialsDir, credential) : setting
    }
    bootsWith(t, env, file)

    if (has('systemd-analyze', ['--version'])) {
      // verify checks every key and that ExecStart is executable: point it at this Node.
      const copy = path.join(tmp, path.basename(file))
      writeFileSync(copy, read(file).replace('ExecStart=/usr/bin/node', `ExecStart=${process.execPath}`))
      const verify = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' })
      t.equal(verify.status, 0, `${file}: systemd-analyze verify passes`)
      t.equal(verify.stderr.trim(), '', `${file}: no unknown key or bad value`)
    }
  }
})

t.test('nginx example: forwards what CRISP_TRUST_PROXY needs, and nginx accepts it', async (t) => {
  const conf = read('deploy/nginx.conf')
  for (const header of [
    'X-Forwarded-For   $proxy_add_x_forwarded_for',
    'X-Forwarded-Proto $scheme',
    'X-Forwarded-Host  $host',
  ]) {
    t.ok(conf.includes(`proxy_set_header ${header}`), header)
  }
  t.match(conf, /CRISP_TRUST_PROXY/, 'says which CRISP_TRUST_PROXY goes with it')
  t.match(conf, /return 301 https:/, 'plain HTTP is redirected')
  if (!has('nginx', ['-v'])) return void t.comment('nginx not installed: its own syntax check skipped')
  const { certFile, keyFile } = selfSignedCert(t)
  const dir = mkdtempSync(path.join(tmp, 'nginx-'))
  const site = conf
    .replace(/ssl_certificate\s+\S+;/, `ssl_certificate ${certFile};`)
    .replace(/ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${keyFile};`)
  writeFileSync(path.join(dir, 'site.conf'), site)
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `pid ${dir}/nginx.pid;\nerror_log stderr;\nevents {}\nhttp {\n  include ${dir}/site.conf;\n}\n`,
  )
  const check = spawnSync('nginx', ['-t', '-q', '-p', dir, '-c', path.join(dir, 'nginx.conf')], { encoding: 'utf8' })
  t.equal(check.status, 0, `nginx -t: ${check.stderr}`)
})

t.test('the documentation says how to run each of them', async (t) => {
  const doc = read('docs/deployment.md')
  for (const needle of [
    'docker compose up',
    'docker build',
    'compose.yaml',
    'deploy/crisp.service',
    'deploy/crisp-worker.service',
    'deploy/nginx.conf',
    '_FILE',
    'Production checklist',
  ]) {
    t.ok(doc.includes(needle), `docs/deployment.md mentions ${needle}`)
  }
  for (const name of SECRETS) t.ok(doc.includes(name), `docs/deployment.md lists ${name} among the secrets`)
  const security = read('SECURITY.md')
  for (const heading of ['Supported versions', 'Reporting a vulnerability', 'Security model'])
    t.match(security, new RegExp(`^## ${heading}`, 'm'), `SECURITY.md: ${heading}`)
})

function composeCommand(): string[] | undefined {
  // Compose v2 only: v1 (docker-compose 1.x) predates parts of the compose specification used here (`name`).
  return has('docker', ['compose', 'version']) ? ['docker', 'compose'] : undefined
}

interface ComposeService {
  image?: string
  command?: string[]
  environment?: Record<string, string | number>
  secrets?: string[]
  volumes?: string[]
  healthcheck?: { test?: string[] }
  read_only?: boolean
  tmpfs?: string[]
  cap_drop?: string[]
  depends_on?: Record<string, { condition?: string }>
}
interface ComposeFile {
  services: Record<'postgres' | 'api' | 'worker', ComposeService>
  secrets: Record<string, { file?: string }>
}
