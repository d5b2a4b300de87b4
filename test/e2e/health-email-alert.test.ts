// The email-failing alert on a running server: with an SMTP server that refuses connections, a
// password-reset mail fails, the email channel's breaker opens, and /xrpc/_health and /health say
// "degraded" with the alert (still 200) while the mail waits in the queue.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { startTestServer, type TestServer } from '../helpers/server.ts'

let server: TestServer

beforeAll(async () => {
  // A port nothing listens on: connections are refused at once.
  const closed = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() })
  const port = closed.port
  closed.stop(true)
  server = await startTestServer({
    PDS_EMAIL_SMTP_URL: `smtp://127.0.0.1:${port}`,
    PDS_EMAIL_FROM_ADDRESS: 'noreply@localhost',
    PDS_NOTIFY_BREAKER_THRESHOLD: '1',
    PDS_NOTIFY_BREAKER_COOLDOWN_MS: '600000',
    PDS_NOTIFY_RETRY_BASE_MS: '50',
  })
})
afterAll(() => server.close())

type Health = { status?: string; alerts?: Array<{ id: string; message: string }> }
const health = async (path: string) => {
  const res = await fetch(server.url + path)
  expect(res.status).toBe(200)
  return (await res.json()) as Health
}

test('an SMTP server refusing connections shows as email-failing on /xrpc/_health and /health', async () => {
  const agent = new AtpAgent({ service: server.url })
  await agent.createAccount({ handle: 'mia.test', email: 'mia@example.com', password: 'a-long-enough-password' })
  expect(await health('/xrpc/_health')).not.toHaveProperty('alerts')

  await agent.com.atproto.server.requestPasswordReset({ email: 'mia@example.com' })
  const deadline = Date.now() + 10_000
  let body = await health('/xrpc/_health')
  while (body.status !== 'degraded' && Date.now() < deadline) {
    await Bun.sleep(50)
    body = await health('/xrpc/_health')
  }
  for (const b of [body, await health('/health')]) {
    expect(b.status).toBe('degraded')
    expect(b.alerts?.map((a) => a.id)).toEqual(['email-failing'])
    expect(b.alerts?.[0]?.message).toStartWith('the SMTP server refuses mail (1 failures in a row, delivery paused')
  }
  // Nothing is lost: the reset mail is still queued for when the server comes back.
  expect(server.services.notify.status().queue).toMatchObject({ queued: 1, sent: 0, failed: 0 })
})
