/** Control characters, and invisible ones that reorder or hide text (bidi overrides, zero-width, line separators). */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]+/g

/** Lone surrogates: PostgreSQL refuses them in JSON, and they show as nothing useful anyway. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/**
 * What a run may keep of text that came from a remote (a rejection's reason and ref, a run's error): one line
 * of visible characters, at most `max` long. Rejections used to echo whole lines of the response; kept this
 * short they still say what was wrong without turning a feed into a way to read what the remote serves.
 */
export function excerpt(text: string, max: number): string {
  const clean = text.replace(LONE_SURROGATE, '\ufffd').replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim()
  const chars = [...clean]
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : clean
}

/** Longest kept rejection reason and ref, and run error. */
export const EXCERPT_LIMITS = { reason: 160, ref: 64, error: 400 } as const
