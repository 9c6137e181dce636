/**
 * Escaping for Suricata rule options. In `msg` the characters `"`, `;` and `\` are escaped with a backslash;
 * in `content` they (and `|`, and anything outside printable ASCII) are written as hex bytes `|xx|`, which is
 * always accepted. Indicator values are attacker-controlled, so nothing goes in unescaped.
 */
export function escapeMsg(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, '?').replace(/[";\\]/g, (c) => `\\${c}`)
}

export function contentBytes(text: string): string {
  let out = ''
  for (const byte of new TextEncoder().encode(text)) {
    const printable = byte >= 0x20 && byte < 0x7f && !'";\\|:'.includes(String.fromCharCode(byte))
    out += printable ? String.fromCharCode(byte) : `|${byte.toString(16).padStart(2, '0')}|`
  }
  return out.replace(/\|\|/g, ' ')
}
