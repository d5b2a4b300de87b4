/** @jsxImportSource ../ui/jsx */
// /account/data: the repository browser. Collections → their records → one record as formatted JSON with
// its CID and AT-URI; a download of the whole repo as a CAR file; the blobs (see blobs.tsx).
import { isValidNsid } from '../../core/syntax/index.ts'
import { Card, Copyable, formatBytes } from '../ui/components.tsx'
import { PageProblem } from '../ui/errors.ts'
import { BASE, type WebRequest } from './context.ts'
import { asSignedIn } from './router.ts'
import { accountPage } from './shell.tsx'

export const DATA_PATH = `${BASE}/data`
const PAGE = 50

const collectionHref = (c: string, cursor?: string) => `${DATA_PATH}/collection?c=${encodeURIComponent(c)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
const recordHref = (c: string, rkey: string) => `${DATA_PATH}/record?c=${encodeURIComponent(c)}&rkey=${encodeURIComponent(rkey)}`

export function showData(r: WebRequest): Response {
  const s = asSignedIn(r)
  const repo = s.app.services.repo
  const stats = repo.stats(s.account.did)
  const collections = stats ? repo.listCollections(s.account.did) : []
  return accountPage(s, {
    title: 'Your data',
    current: DATA_PATH,
    children: (
      <>
        <h1>Your data</h1>
        <Card title="Download">
          <p>
            Your whole repository as one CAR file{stats && ` (about ${formatBytes(stats.repoBytes)})`}: every record, signed by your account. Any ATProto server can import it.
          </p>
          {stats && (
            <a class="button" href={`${DATA_PATH}/repo.car`} download>
              Download repository (.car)
            </a>
          )}
        </Card>
        <Card title="Collections">
          {collections.length ? (
            <ul class="items">
              {collections.map((c) => (
                <li>
                  <a href={collectionHref(c)} class="mono">
                    {c}
                  </a>
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">Your repository has no records yet.</p>
          )}
        </Card>
        <Card title="Blobs">
          <p>
            {stats ? `${stats.blobs.toLocaleString('en')} files (${formatBytes(stats.blobBytes)}): images, videos and other uploads.` : 'No files.'} <a href={`${DATA_PATH}/blobs`}>See them</a>
          </p>
          {stats && stats.blobs > 0 && (
            <a class="button secondary" href={`${DATA_PATH}/blobs.tar`} download>
              Download all files (.tar)
            </a>
          )}
        </Card>
      </>
    ),
  })
}

function collectionParam(r: WebRequest): string {
  const c = r.url.searchParams.get('c') ?? ''
  if (!isValidNsid(c)) throw new PageProblem(404, 'Not found', 'There is no such collection in your repository.')
  return c
}

export function showCollection(r: WebRequest): Response {
  const s = asSignedIn(r)
  const collection = collectionParam(r)
  const cursor = r.url.searchParams.get('cursor') ?? undefined
  const page = s.app.services.repo.hasRepo(s.account.did) ? s.app.services.repo.listRecords(s.account.did, collection, { limit: PAGE, cursor }) : { records: [] }
  return accountPage(s, {
    title: collection,
    current: DATA_PATH,
    children: (
      <>
        <p>
          <a href={DATA_PATH}>Your data</a> /
        </p>
        <h1 class="mono">{collection}</h1>
        <Card>
          {page.records.length ? (
            <ul class="items">
              {page.records.map((rec) => {
                const rkey = rec.uri.split('/').pop()!
                const text = (rec.value as { text?: unknown; displayName?: unknown }).text ?? (rec.value as { displayName?: unknown }).displayName
                return (
                  <li>
                    <div class="what">
                      <a href={recordHref(collection, rkey)} class="mono">
                        {rkey}
                      </a>
                      {typeof text === 'string' && <div class="muted small">{text.slice(0, 140)}</div>}
                    </div>
                  </li>
                )
              })}
            </ul>
          ) : (
            <p class="muted">No records here.</p>
          )}
          {page.records.length === PAGE && page.cursor && (
            <a class="button secondary" href={collectionHref(collection, page.cursor)}>
              Older records
            </a>
          )}
        </Card>
      </>
    ),
  })
}

export function showRecord(r: WebRequest): Response {
  const s = asSignedIn(r)
  const collection = collectionParam(r)
  const rkey = r.url.searchParams.get('rkey') ?? ''
  const record = /^[A-Za-z0-9._:~-]{1,512}$/.test(rkey) ? s.app.services.repo.getRecord(s.account.did, collection, rkey) : null
  if (!record) throw new PageProblem(404, 'Not found', 'There is no such record in your repository (it may have been deleted).')
  return accountPage(s, {
    title: `${collection}/${rkey}`,
    current: DATA_PATH,
    children: (
      <>
        <p>
          <a href={DATA_PATH}>Your data</a> / <a href={collectionHref(collection)}>{collection}</a> /
        </p>
        <h1 class="mono">{rkey}</h1>
        <Card>
          <dl class="facts">
            <dt>AT-URI</dt>
            <dd>
              <Copyable value={record.uri} label="AT-URI" />
            </dd>
            <dt>CID</dt>
            <dd>
              <Copyable value={record.cid} label="CID" />
            </dd>
          </dl>
          <pre>
            <code>{JSON.stringify(record.value, null, 2)}</code>
          </pre>
        </Card>
      </>
    ),
  })
}
