import { createServer, type AddressInfo } from 'node:net'

/**
 * A local port free right now, from the kernel. A random port in a range can meet a server still bound to it
 * (an embedded PostgreSQL of the previous benchmark, shutting down), which fails the start-up.
 */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (address === null || typeof address === 'string') throw new Error('no TCP port was assigned')
  return (address satisfies AddressInfo).port
}
