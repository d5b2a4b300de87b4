// Shared setup of the account e2e tests: a PLC directory, an SMTP sink and the real server.
import { AtpAgent } from '@atproto/api'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { startPlcDirectory, type TestPlc } from '../helpers/plc.ts'
import { startSmtpSink, type TestSmtp } from '../helpers/smtp.ts'

export type AccountHarness = {
  server: TestServer
  plc: TestPlc
  smtp: TestSmtp
  agent(): AtpAgent
  /** createAccount through the API; returns a logged-in agent and the account's password. */
  signUp(name: string, extra?: Record<string, string>): Promise<{ agent: AtpAgent; did: string; handle: string; email: string; password: string }>
  adminHeaders: Record<string, string>
  close(): Promise<void>
}

export async function startAccountHarness(env: Record<string, string> = {}): Promise<AccountHarness> {
  const plc = await startPlcDirectory()
  const smtp = await startSmtpSink()
  const server = await startTestServer({
    PDS_DID_PLC_URL: plc.url,
    PDS_EMAIL_SMTP_URL: smtp.url,
    PDS_EMAIL_FROM_ADDRESS: 'noreply@localhost',
    ...env,
  })
  const agent = () => new AtpAgent({ service: server.url })
  return {
    server,
    plc,
    smtp,
    agent,
    adminHeaders: { authorization: server.adminAuth },
    async signUp(name, extra = {}) {
      const a = agent()
      const email = `${name}@example.com`
      const password = `${name}-password`
      const handle = `${name}.test`
      const res = await a.createAccount({ email, handle, password, ...extra })
      return { agent: a, did: res.data.did, handle, email, password }
    },
    async close() {
      await server.close()
      await smtp.close()
      await plc.close()
    },
  }
}
