/**
 * A structural check of Suricata rules for tests, used where the `suricata` binary is absent: header shape,
 * options split on unescaped `;`, known keywords, well-formed `content` strings and unique sids.
 */
const HEADER = /^alert (ip|dns|tls|http) (any|[0-9a-f.:/]+) any (->|<>) (any|[0-9a-f.:/]+) any \((.*)\)$/
const KEYWORDS = new Set([
  'msg',
  'dns.query',
  'tls.sni',
  'http.host',
  'http.uri.raw',
  'dotprefix',
  'content',
  'nocase',
  'endswith',
  'startswith',
  'bsize',
  'metadata',
  'sid',
  'rev',
])

export function splitOptions(body: string): string[] {
  const options: string[] = []
  let current = ''
  let quoted = false
  for (let i = 0; i < body.length; i++) {
    const c = body[i]
    if (c === '\\' && quoted) {
      current += c + body[++i]
      continue
    }
    if (c === '"') quoted = !quoted
    if (c === ';' && !quoted) {
      options.push(current.trim())
      current = ''
    } else current += c
  }
  if (quoted) throw new Error('unterminated quote')
  if (current.trim()) throw new Error(`option without ";": ${current}`)
  return options
}

/** Returns the problems of one rule (empty when it is well-formed) and its sid. */
export function checkRule(rule: string): { problems: string[]; sid?: number } {
  const m = HEADER.exec(rule)
  if (!m) return { problems: [`bad header: ${rule}`] }
  const problems: string[] = []
  let sid: number | undefined
  for (const option of splitOptions(m[5])) {
    const [keyword, ...rest] = option.split(':')
    const value = rest.join(':')
    if (!KEYWORDS.has(keyword)) problems.push(`unknown keyword ${keyword}`)
    if (keyword === 'msg' && !/^"([^"\\;]|\\["\\;])*"$/.test(value)) problems.push(`bad msg ${value}`)
    if (keyword === 'content' && !/^"([^"\\;|]|\|([0-9a-f]{2} ?)+\|)*"$/.test(value))
      problems.push(`bad content ${value}`)
    if (keyword === 'sid') sid = Number(value)
  }
  if (!sid) problems.push('no sid')
  return { problems, sid }
}
