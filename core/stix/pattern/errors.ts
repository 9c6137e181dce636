/** Thrown for any lexical or syntactic error in a STIX pattern. */
export class PatternSyntaxError extends Error {
  /** Zero-based character offset in the pattern text where the problem was detected. */
  readonly position: number

  constructor(message: string, position: number) {
    super(message)
    this.name = 'PatternSyntaxError'
    this.position = position
  }
}
