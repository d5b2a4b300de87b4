// OAuth permissions end to end: DPoP tokens with chosen scopes against record writes, blob uploads,
// proxied calls (a fake AppView and chat service), service auth, getSession's email and closed methods;
// DPoP-Nonce on successful responses; OAuth sessions ended by password and account changes.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { SimpleDidResolver, didKeyResolver } from '../helpers/did-resolver.ts'
import { startFakeServices } from '../helpers/fake-services.ts'
import { startPlcDirectory, type TestPlc } from '../helpers/plc.ts'
import { startSmtpSink, type TestSmtp } from '../helpers/smtp.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { dpopProof, sha256, type HandClient } from '../oauth/hand-client.ts'
import { login, newClient, signUp } from '../oauth/flow.ts'

let plc: TestPlc
let smtp: TestSmtp
let fakes: ReturnType<typeof startFakeServices>
let server: TestServer

beforeAll(async () => {
  plc = await startPlcDirectory()
  smtp = await startSmtpSink()
  fakes = startFakeServices(didKeyResolver(new SimpleDidResolver({ plcUrl: plc.url, allowHttpWeb: true })))
  server = await startTestServer({
    PDS_DID_PLC_URL: plc.url,
    PDS_EMAIL_SMTP_URL: smtp.url,
    PDS_EMAIL_FROM_ADDRESS: 'noreply@localhost',
    ...fakes.env,
  })
  fakes.appView.on('app.bsky.feed.getTimeline', () => Response.json({ feed: [] }))
  fakes.appView.on('app.bsky.feed.getAuthorFeed', () => Response.json({ feed: [] }))
  fakes.appView.on('app.bsky.graph.getFollows', () => Response.json({ subject: {}, follows: [] }))
  fakes.chat.on('chat.bsky.convo.listConvos', () => Response.json({ convos: [] }))
})
afterAll(async () => {
  await server.close()
  await plc.close()
  await smtp.close()
  fakes.close()
})

type CallOptions = {
  params?: Record<string, string>
  json?: unknown
  body?: Uint8Array
  contentType?: string
  headers?: Record<string, string>
  /** Retry once on use_dpop_nonce (default true). */
  retry?: boolean
}
type Caller = (nsid: string, o?: CallOptions) => Promise<Response>

function request(nsid: string, o: CallOptions, auth: Record<string, string>) {
  const method = o.json !== undefined || o.body ? 'POST' : 'GET'
  const headers: Record<string, string> = { ...auth, ...o.headers }
  let body: string | Uint8Array | undefined
  if (o.json !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(o.json)
  } else if (o.body) {
    headers['content-type'] = o.contentType ?? 'application/octet-stream'
    body = o.body
  }
  const qs = o.params ? `?${new URLSearchParams(o.params)}` : ''
  return { method, url: `${server.url}/xrpc/${nsid}${qs}`, headers, body }
}

/** Calls as an OAuth client: DPoP proof with ath, the latest server nonce, one retry on use_dpop_nonce. */
function oauthCaller(client: HandClient, token: string): Caller {
  return async (nsid, o = {}) => {
    const send = async () => {
      const r = request(nsid, o, {})
      const proof = await dpopProof(client.key, { htm: r.method, htu: `${client.issuer}/xrpc/${nsid}`, nonce: client.nonce, ath: sha256(token) })
      const res = await fetch(r.url, { method: r.method, headers: { ...r.headers, authorization: `DPoP ${token}`, dpop: proof }, body: r.body })
      const nonce = res.headers.get('dpop-nonce')
      if (nonce) client.nonce = nonce
      return res
    }
    const res = await send()
    if (o.retry !== false && res.status === 401 && res.headers.get('www-authenticate')?.includes('use_dpop_nonce')) return send()
    return res
  }
}

function bearerCaller(jwt: string): Caller {
  return (nsid, o = {}) => {
    const r = request(nsid, o, { authorization: `Bearer ${jwt}` })
    return fetch(r.url, { method: r.method, headers: r.headers, body: r.body })
  }
}

async function oauthAs(account: { handle: string; password: string }, scope: string) {
  const client = await newClient(server)
  const { tokens, clientId } = await login(server, client, { identifier: account.handle, password: account.password, scope })
  return { client, clientId, tokens, call: oauthCaller(client, tokens.access_token) }
}

const post = (did: string, text = 'hi') => ({
  repo: did,
  collection: 'app.bsky.feed.post',
  record: { $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString() },
})
const like = (did: string) => ({
  repo: did,
  collection: 'app.bsky.feed.like',
  record: {
    $type: 'app.bsky.feed.like',
    subject: { uri: `at://${did}/app.bsky.feed.post/3jzfcijpj2z2a`, cid: 'bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a' },
    createdAt: new Date().toISOString(),
  },
})
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4])
const MP4 = new Uint8Array([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x6d, 0x70, 0x34, 0x32])

async function expectScopeMissing(res: Response, scope: string) {
  expect(res.status).toBe(403)
  const body = (await res.json()) as { error: string; message: string }
  expect(body.error).toBe('ScopeMissingError')
  expect(body.message).toContain(scope)
}

/** `aud` values go percent-encoded inside a scope (a did:web port's %3A becomes %253A). */
const audParam = (aud: string) => encodeURIComponent(aud)
const appViewAud = () => `${fakes.appView.did}#bsky_appview`

describe('repo: permissions', () => {
  test('repo:app.bsky.feed.post?action=create can post, but not like, update or delete', async () => {
    const alice = await signUp(server, 'alice')
    const { call } = await oauthAs(alice, 'atproto repo:app.bsky.feed.post?action=create')
    const created = await call('com.atproto.repo.createRecord', { json: post(alice.did) })
    expect(created.status).toBe(200)
    const { uri } = (await created.json()) as { uri: string }
    const rkey = uri.split('/').pop()!
    await expectScopeMissing(await call('com.atproto.repo.createRecord', { json: like(alice.did) }), 'repo:app.bsky.feed.like?action=create')
    await expectScopeMissing(
      await call('com.atproto.repo.deleteRecord', { json: { repo: alice.did, collection: 'app.bsky.feed.post', rkey } }),
      'repo:app.bsky.feed.post?action=delete',
    )
    // putRecord may create or update: it needs both.
    await expectScopeMissing(await call('com.atproto.repo.putRecord', { json: { ...post(alice.did, 'edited'), rkey } }), 'action=update')
    // applyWrites: every write is checked; one refused write refuses the batch.
    const create = { $type: 'com.atproto.repo.applyWrites#create', collection: 'app.bsky.feed.post', value: post(alice.did).record }
    const del = { $type: 'com.atproto.repo.applyWrites#delete', collection: 'app.bsky.feed.post', rkey }
    expect((await call('com.atproto.repo.applyWrites', { json: { repo: alice.did, writes: [create] } })).status).toBe(200)
    await expectScopeMissing(await call('com.atproto.repo.applyWrites', { json: { repo: alice.did, writes: [create, del] } }), 'action=delete')
    // The post is still there.
    const got = await fetch(`${server.url}/xrpc/com.atproto.repo.getRecord?repo=${alice.did}&collection=app.bsky.feed.post&rkey=${rkey}`)
    expect(got.status).toBe(200)
  })
})

describe('blob: permissions', () => {
  test('blob:image/* uploads images but not video', async () => {
    const bea = await signUp(server, 'bea')
    const { call } = await oauthAs(bea, 'atproto blob:image/*')
    const ok = await call('com.atproto.repo.uploadBlob', { body: PNG, contentType: 'image/png' })
    expect(ok.status).toBe(200)
    expect(((await ok.json()) as any).blob.mimeType).toBe('image/png')
    await expectScopeMissing(await call('com.atproto.repo.uploadBlob', { body: MP4, contentType: 'video/mp4' }), 'blob:video/mp4')
  })
})

describe('rpc: permissions', () => {
  test('a proxied call needs rpc:<lxm>?aud=<service>', async () => {
    const cleo = await signUp(server, 'cleo')
    const scope = `atproto rpc:app.bsky.feed.getTimeline?aud=${audParam(appViewAud())} rpc:app.bsky.graph.getFollows?aud=${audParam(appViewAud())}`
    const { call } = await oauthAs(cleo, scope)
    // A method with a local handler that forwards (read-after-write) and one the fallback forwards.
    expect((await call('app.bsky.feed.getTimeline')).status).toBe(200)
    expect((await call('app.bsky.graph.getFollows', { params: { actor: cleo.did } })).status).toBe(200)
    expect(fakes.appView.calls.at(-1)!.jwt).toMatchObject({ iss: cleo.did, lxm: 'app.bsky.graph.getFollows' })
    const before = fakes.appView.calls.length
    await expectScopeMissing(await call('app.bsky.feed.getAuthorFeed', { params: { actor: cleo.did } }), 'rpc:app.bsky.feed.getAuthorFeed')
    await expectScopeMissing(await call('app.bsky.graph.getFollowers', { params: { actor: cleo.did } }), 'rpc:app.bsky.graph.getFollowers')
    // The permission names the audience: the same method sent to another service is refused.
    const elsewhere = await call('app.bsky.graph.getFollows', { params: { actor: cleo.did }, headers: { 'atproto-proxy': `${fakes.chat.did}#bsky_chat` } })
    await expectScopeMissing(elsewhere, 'rpc:app.bsky.graph.getFollows')
    expect(fakes.appView.calls.length).toBe(before) // nothing refused reached the AppView
  })

  test('getServiceAuth is checked by lxm and aud (no lxm needs rpc:*)', async () => {
    const dora = await signUp(server, 'dora')
    const aud = appViewAud()
    const { call } = await oauthAs(dora, `atproto rpc:app.bsky.feed.getTimeline?aud=${audParam(aud)}`)
    expect((await call('com.atproto.server.getServiceAuth', { params: { aud, lxm: 'app.bsky.feed.getTimeline' } })).status).toBe(200)
    await expectScopeMissing(await call('com.atproto.server.getServiceAuth', { params: { aud, lxm: 'app.bsky.feed.getAuthorFeed' } }), 'rpc:app.bsky.feed.getAuthorFeed')
    await expectScopeMissing(await call('com.atproto.server.getServiceAuth', { params: { aud } }), 'rpc:*')
    const other = `${fakes.chat.did}#bsky_chat`
    await expectScopeMissing(await call('com.atproto.server.getServiceAuth', { params: { aud: other, lxm: 'app.bsky.feed.getTimeline' } }), `aud=${other}`)
  })
})

describe('transition scopes', () => {
  /** What an app password may do, call by call; transition:generic must match it exactly. */
  const appPasswordCalls = (did: string, text: string): [string, CallOptions][] => [
    ['com.atproto.repo.createRecord', { json: post(did, text) }],
    ['com.atproto.repo.createRecord', { json: like(did) }],
    ['com.atproto.repo.putRecord', { json: { repo: did, collection: 'app.bsky.actor.profile', rkey: 'self', record: { $type: 'app.bsky.actor.profile', displayName: text } } }],
    ['com.atproto.repo.deleteRecord', { json: { repo: did, collection: 'app.bsky.feed.post', rkey: '3jzfcijpj2z2a' } }],
    ['com.atproto.repo.uploadBlob', { body: MP4, contentType: 'video/mp4' }],
    ['app.bsky.actor.getPreferences', {}],
    ['app.bsky.actor.putPreferences', { json: { preferences: [] } }],
    ['app.bsky.feed.getTimeline', {}],
    ['app.bsky.graph.getFollows', { params: { actor: did } }],
    ['com.atproto.server.getServiceAuth', { params: { aud: fakes.appView.did, lxm: 'app.bsky.feed.getTimeline' } }],
    ['com.atproto.server.getSession', {}],
    ['com.atproto.server.checkAccountStatus', {}],
    // Refused to both: app passwords are not full access, OAuth is closed here.
    ['com.atproto.server.createAppPassword', { json: { name: 'nested' } }],
    ['com.atproto.server.deactivateAccount', { json: {} }],
    // Chat needs a privileged app password, and transition:chat.bsky for OAuth.
    ['chat.bsky.convo.listConvos', { headers: { 'atproto-proxy': `${fakes.chat.did}#bsky_chat` } }],
  ]

  test('transition:generic can do what an app password can, and nothing more', async () => {
    const eve = await signUp(server, 'eve')
    const appPassword = await eve.agent.com.atproto.server.createAppPassword({ name: 'third-party' })
    const session = await fetch(`${server.url}/xrpc/com.atproto.server.createSession`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: eve.handle, password: appPassword.data.password }),
    })
    const viaAppPassword = bearerCaller(((await session.json()) as { accessJwt: string }).accessJwt)
    const { call: viaOAuth } = await oauthAs(eve, 'atproto transition:generic')
    const outcomes: string[] = []
    for (const [i, [nsid, o]] of appPasswordCalls(eve.did, 'generic').entries()) {
      const a = await viaAppPassword(nsid, o)
      const b = await viaOAuth(nsid, { ...appPasswordCalls(eve.did, 'generic')[i]![1] })
      outcomes.push(`${nsid} app-password:${a.ok} oauth:${b.ok}`)
      expect(`${nsid} ${b.ok}`).toBe(`${nsid} ${a.ok}`)
    }
    expect(outcomes.filter((o) => o.includes('oauth:true')).length).toBe(12)
  })

  test('chat needs transition:chat.bsky; transition:generic alone is refused', async () => {
    const finn = await signUp(server, 'finn')
    const headers = { 'atproto-proxy': `${fakes.chat.did}#bsky_chat` }
    const generic = await oauthAs(finn, 'atproto transition:generic')
    await expectScopeMissing(await generic.call('chat.bsky.convo.listConvos', { headers }), 'rpc:chat.bsky.convo.listConvos')
    const chat = await oauthAs(finn, 'atproto transition:generic transition:chat.bsky')
    const res = await chat.call('chat.bsky.convo.listConvos', { headers })
    expect(res.status).toBe(200)
    expect(fakes.chat.calls.at(-1)!.jwt).toMatchObject({ iss: finn.did, lxm: 'chat.bsky.convo.listConvos' })
  })

  test('getSession hides the email without account:email or transition:email', async () => {
    const gus = await signUp(server, 'gus')
    const session = async (scope: string) => (await (await oauthAs(gus, scope)).call('com.atproto.server.getSession')).json() as Promise<Record<string, unknown>>
    const hidden = await session('atproto transition:generic')
    expect(hidden.did).toBe(gus.did)
    expect(hidden).not.toHaveProperty('email')
    expect(hidden).not.toHaveProperty('emailConfirmed')
    expect((await session('atproto transition:email')).email).toBe('gus@example.com')
    expect((await session('atproto account:email')).email).toBe('gus@example.com')
  })
})

describe('account and identity permissions', () => {
  test('closed methods stay closed; handle changes need identity:handle; repo import needs account:repo', async () => {
    const hal = await signUp(server, 'hal')
    const generic = await oauthAs(hal, 'atproto transition:generic')
    for (const nsid of ['com.atproto.server.createAppPassword', 'com.atproto.server.requestAccountDelete', 'com.atproto.server.requestEmailUpdate']) {
      const res = await generic.call(nsid, { json: nsid.endsWith('createAppPassword') ? { name: 'x' } : {} })
      expect(res.status).toBe(403)
      expect(((await res.json()) as any).error).toBe('Forbidden')
    }
    await expectScopeMissing(await generic.call('com.atproto.identity.updateHandle', { json: { handle: 'hal2.test' } }), 'identity:handle')
    await expectScopeMissing(await generic.call('com.atproto.identity.signPlcOperation', { json: {} }), 'identity:*')
    await expectScopeMissing(await generic.call('com.atproto.repo.importRepo', { body: new Uint8Array([1]), contentType: 'application/vnd.ipld.car' }), 'account:repo?action=manage')
    await expectScopeMissing(await generic.call('com.atproto.server.requestEmailConfirmation', { json: {} }), 'account:email?action=manage')
    const identity = await oauthAs(hal, 'atproto identity:handle')
    expect((await identity.call('com.atproto.identity.updateHandle', { json: { handle: 'hal2.test' } })).status).toBe(200)
    expect(server.services.accounts.getAccount(hal.did)?.handle).toBe('hal2.test')
  })
})

describe('DPoP-Nonce on responses', () => {
  test('a successful DPoP call returns a fresh nonce, and the next call succeeds with it first time', async () => {
    const ida = await signUp(server, 'ida')
    const { client, call } = await oauthAs(ida, 'atproto transition:generic')
    client.nonce = undefined
    const first = await call('com.atproto.server.getSession') // use_dpop_nonce, then 200
    expect(first.status).toBe(200)
    const nonce = first.headers.get('dpop-nonce')
    expect(nonce).toBeTruthy()
    expect(first.headers.get('access-control-expose-headers')).toContain('DPoP-Nonce')
    const second = await call('com.atproto.repo.createRecord', { json: post(ida.did), retry: false })
    expect(second.status).toBe(200)
    expect(second.headers.get('dpop-nonce')).toBeTruthy()
    // Refusals after authentication carry it too, and so do proxied responses.
    const refused = await call('com.atproto.server.createAppPassword', { json: { name: 'x' }, retry: false })
    expect(refused.status).toBe(403)
    expect(refused.headers.get('dpop-nonce')).toBeTruthy()
    const proxied = await call('app.bsky.graph.getFollows', { params: { actor: ida.did }, retry: false })
    expect(proxied.status).toBe(200)
    expect(proxied.headers.get('dpop-nonce')).toBeTruthy()
  })
})

describe('OAuth sessions end with the account credentials', () => {
  const sessionsOf = (did: string) => {
    const db = new Database(server.config.db.accountDbLocation, { readonly: true })
    try {
      return (db.query('SELECT count(*) AS n FROM oauth_token WHERE did = ?').get(did) as { n: number }).n
    } finally {
      db.close()
    }
  }
  const admin = (nsid: string, body: unknown) =>
    fetch(`${server.url}/xrpc/${nsid}`, { method: 'POST', headers: { authorization: server.adminAuth, 'content-type': 'application/json' }, body: JSON.stringify(body) })

  /** Signs in with OAuth, runs the account change, and checks the token and its session are gone. */
  async function expectRevokedBy(name: string, change: (account: Awaited<ReturnType<typeof signUp>>) => Promise<void>) {
    const account = await signUp(server, name)
    const { call, client, clientId, tokens } = await oauthAs(account, 'atproto transition:generic')
    expect((await call('com.atproto.server.getSession')).status).toBe(200)
    expect(sessionsOf(account.did)).toBe(1)
    await change(account)
    expect(sessionsOf(account.did)).toBe(0)
    const res = await call('com.atproto.server.getSession')
    expect(res.status).toBe(401)
    const refreshed = await client.post('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: clientId })
    expect(refreshed.res.status).toBe(400)
  }

  test('user password reset (emailed token)', async () => {
    await expectRevokedBy('jay', async (a) => {
      await a.agent.com.atproto.server.requestPasswordReset({ email: 'jay@example.com' })
      const token = await smtp.tokenFor('jay@example.com')
      await a.agent.com.atproto.server.resetPassword({ token, password: 'jay-new-password' })
    })
  })

  test('admin updateAccountPassword', async () => {
    await expectRevokedBy('kim', async (a) => {
      expect((await admin('com.atproto.admin.updateAccountPassword', { did: a.did, password: 'kim-new-password' })).status).toBe(200)
    })
  })

  test('deactivation by the owner', async () => {
    await expectRevokedBy('lou', async (a) => {
      await a.agent.com.atproto.server.deactivateAccount({})
    })
  })

  test('takedown', async () => {
    await expectRevokedBy('max', async (a) => {
      const res = await admin('com.atproto.admin.updateSubjectStatus', {
        subject: { $type: 'com.atproto.admin.defs#repoRef', did: a.did },
        takedown: { applied: true, ref: 'spam' },
      })
      expect(res.status).toBe(200)
    })
  })

  test('account deletion (admin, and by the owner with password and token)', async () => {
    await expectRevokedBy('ned', async (a) => {
      expect((await admin('com.atproto.admin.deleteAccount', { did: a.did })).status).toBe(200)
    })
    await expectRevokedBy('oli', async (a) => {
      await a.agent.com.atproto.server.requestAccountDelete()
      const token = await smtp.tokenFor('oli@example.com')
      await a.agent.com.atproto.server.deleteAccount({ did: a.did, password: a.password, token })
    })
  })
})
