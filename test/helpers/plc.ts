// A real PLC directory (our validating implementation) on its own loopback port, for e2e tests.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PlcDirectory } from '../../src/services/identity/plc-directory.ts'
import { handlePlcRequest } from '../../src/xrpc/routes/plc-directory.ts'

export type TestPlc = { url: string; directory: PlcDirectory; close(): Promise<void> }

export async function startPlcDirectory(): Promise<TestPlc> {
  const dir = mkdtempSync(join(tmpdir(), 'pds-plc-'))
  const directory = new PlcDirectory(join(dir, 'plc.sqlite'))
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: (req) => handlePlcRequest(directory, req, new URL(req.url).pathname),
  })
  return {
    url: `http://127.0.0.1:${server.port}`,
    directory,
    async close() {
      await server.stop(true)
      directory.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
