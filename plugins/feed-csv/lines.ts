/** One line of text and its 1-based number in the file. */
export interface NumberedLine {
  number: number
  text: string
}

/** Splits a byte stream into lines (LF or CRLF) without holding more than one partial line. */
export async function* readLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<NumberedLine> {
  const decoder = new TextDecoder('utf-8')
  let rest = ''
  let number = 0
  for await (const chunk of chunks) {
    rest += decoder.decode(chunk, { stream: true })
    let newline = rest.indexOf('\n')
    while (newline !== -1) {
      yield { number: ++number, text: rest.slice(0, newline).replace(/\r$/, '') }
      rest = rest.slice(newline + 1)
      newline = rest.indexOf('\n')
    }
  }
  rest += decoder.decode()
  if (rest !== '') yield { number: number + 1, text: rest.replace(/\r$/, '') }
}
