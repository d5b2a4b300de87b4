/** @jsxImportSource ../ui/jsx */
// /account/data/blobs: the repository's files with type and size, a preview for images.
import { Card, Copyable, formatBytes } from '../ui/components.tsx'
import { DATA_PATH } from './data.tsx'
import type { WebRequest } from './context.ts'
import { asSignedIn } from './router.ts'
import { accountPage } from './shell.tsx'
import { PREVIEW_TYPES } from './data-files.ts'

const PAGE = 50

export function showBlobs(r: WebRequest): Response {
  const s = asSignedIn(r)
  const cursor = r.url.searchParams.get('cursor') ?? undefined
  const blobs = s.app.services.repo.listBlobDetails(s.account.did, { cursor, limit: PAGE })
  return accountPage(s, {
    title: 'Blobs',
    current: DATA_PATH,
    children: (
      <>
        <p>
          <a href={DATA_PATH}>Your data</a> /
        </p>
        <h1>Blobs</h1>
        <Card>
          {blobs.length ? (
            <ul class="items">
              {blobs.map((b) => (
                <li>
                  <div class="what">
                    <Copyable value={b.cid} label={`blob ${b.cid}`} />
                    <div class="muted small">
                      {b.mimeType} · {formatBytes(b.size)} · <a href={`${DATA_PATH}/blob?cid=${encodeURIComponent(b.cid)}`}>Download</a>
                    </div>
                  </div>
                  {PREVIEW_TYPES.has(b.mimeType) && <img class="thumb" src={`${DATA_PATH}/blob?cid=${encodeURIComponent(b.cid)}`} alt={`Preview of ${b.cid}`} width="96" height="96" loading="lazy" />}
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">No files{cursor ? ' after these' : ''}.</p>
          )}
          {blobs.length === PAGE && (
            <a class="button secondary" href={`${DATA_PATH}/blobs?cursor=${encodeURIComponent(blobs.at(-1)!.cid)}`}>
              More
            </a>
          )}
        </Card>
      </>
    ),
  })
}
