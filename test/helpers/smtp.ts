// An SMTP sink (smtp-server) on loopback that keeps every message, so tests can read email tokens.
import { SMTPServer } from 'smtp-server'

export type SentMail = { to: string[]; from: string; raw: string }

export type TestSmtp = {
  url: string
  mails: SentMail[]
  /** The last XXXXX-XXXXX token mailed to `to` (waits briefly for delivery). */
  tokenFor(to: string): Promise<string>
  close(): Promise<void>
}

export async function startSmtpSink(): Promise<TestSmtp> {
  const mails: SentMail[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          raw: Buffer.concat(chunks).toString('utf8'),
        })
        callback()
      })
    },
  })
  const port = await new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.server.address() as { port: number }).port))
  })
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    async tokenFor(to: string) {
      for (let i = 0; i < 50; i++) {
        const mail = mails.findLast((m) => m.to.includes(to.toLowerCase()))
        const token = mail?.raw.match(/[A-Z2-7]{5}-[A-Z2-7]{5}/)?.[0]
        if (token) return token
        await Bun.sleep(20)
      }
      throw new Error(`no token mailed to ${to}`)
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
