// Child process of queue.test.ts: queues messages for a Telegram API that does not answer, then waits
// to be killed with SIGKILL.
import { TELEGRAM_TOKEN } from '../helpers/fake-notify.ts'
import { notifyHarness } from './harness.ts'

const [path, apiUrl] = process.argv.slice(2) as [string, string]
const h = notifyHarness({ PDS_TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN, PDS_TELEGRAM_API_URL: apiUrl, PDS_NOTIFY_RETRY_BASE_MS: '60000' }, { path })
for (const n of [1, 2, 3]) h.notify.enqueue({ did: null, kind: 'test', channel: 'telegram', address: `30${n}`, subject: 'S', body: `kill-${n}` })
h.notify.queue.kick()
await h.notify.queue.idle(2000)
process.stdout.write('queued\n')
await Bun.sleep(60_000)
