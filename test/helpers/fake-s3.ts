// A small in-memory S3 for tests, on loopback, path-style (/<bucket>/<key>). It serves what Bun's
// S3 client sends: PUT, GET (with Range), HEAD, DELETE, multipart upload, CopyObject and
// ListObjectsV2. Every request must carry an AWS4-HMAC-SHA256 Authorization header; signatures are
// not verified (that is the client's business, not what these tests are about).

export type FakeS3 = {
  url: string
  bucket: string
  objects: Map<string, Uint8Array>
  /** "METHOD key?query" of every request, in order. */
  log: string[]
  /** Requests rejected for a missing or non-SigV4 Authorization header. */
  unauthorized: number
  stop(): void
}

type Multipart = { key: string; parts: Map<number, Uint8Array> }

const xml = (body: string, status = 200) =>
  new Response(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`, { status, headers: { 'content-type': 'application/xml' } })

const s3Error = (status: number, code: string) => xml(`<Error><Code>${code}</Code><Message>${code}</Message></Error>`, status)

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

const etagOf = (bytes: Uint8Array) => `"${new Bun.CryptoHasher('md5').update(bytes).digest('hex')}"`

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return out
}

export function startFakeS3(bucket = 'test-bucket'): FakeS3 {
  const objects = new Map<string, Uint8Array>()
  const uploads = new Map<string, Multipart>()
  const log: string[] = []
  let nextUpload = 1
  const state = { unauthorized: 0 }

  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    maxRequestBodySize: 1024 * 1024 * 1024,
    async fetch(req) {
      const url = new URL(req.url)
      const path = decodeURIComponent(url.pathname).replace(/^\//, '')
      const slash = path.indexOf('/')
      const reqBucket = slash < 0 ? path : path.slice(0, slash)
      const key = slash < 0 ? '' : path.slice(slash + 1)
      const q = url.searchParams
      log.push(`${req.method} ${key}${url.search}`)
      if (!req.headers.get('authorization')?.startsWith('AWS4-HMAC-SHA256 ')) {
        state.unauthorized++
        return s3Error(403, 'AccessDenied')
      }
      if (reqBucket !== bucket) return s3Error(404, 'NoSuchBucket')

      if (req.method === 'GET' && !key && q.get('list-type') === '2') return listObjects(q)

      if (req.method === 'POST' && q.has('uploads')) {
        const uploadId = `upload-${nextUpload++}`
        uploads.set(uploadId, { key, parts: new Map() })
        return xml(`<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`)
      }
      const uploadId = q.get('uploadId')
      if (uploadId) {
        const upload = uploads.get(uploadId)
        if (!upload || upload.key !== key) return s3Error(404, 'NoSuchUpload')
        if (req.method === 'PUT') {
          const bytes = new Uint8Array(await req.arrayBuffer())
          upload.parts.set(Number(q.get('partNumber')), bytes)
          return new Response(null, { headers: { etag: etagOf(bytes) } })
        }
        if (req.method === 'POST') {
          const body = await req.text()
          const numbers = [...body.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]))
          if (numbers.some((n) => !upload.parts.has(n))) return s3Error(400, 'InvalidPart')
          const bytes = concat(numbers.map((n) => upload.parts.get(n)!))
          objects.set(key, bytes)
          uploads.delete(uploadId)
          return xml(`<CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${escapeXml(key)}</Key><ETag>${etagOf(bytes)}</ETag></CompleteMultipartUploadResult>`)
        }
        if (req.method === 'DELETE') {
          uploads.delete(uploadId)
          return new Response(null, { status: 204 })
        }
      }

      if (req.method === 'PUT') {
        const source = req.headers.get('x-amz-copy-source')
        if (source) {
          const from = decodeURIComponent(source).replace(/^\//, '').slice(bucket.length + 1)
          const bytes = objects.get(from)
          if (!bytes) return s3Error(404, 'NoSuchKey')
          objects.set(key, bytes)
          return xml(`<CopyObjectResult><ETag>${etagOf(bytes)}</ETag></CopyObjectResult>`)
        }
        const bytes = new Uint8Array(await req.arrayBuffer())
        objects.set(key, bytes)
        return new Response(null, { headers: { etag: etagOf(bytes) } })
      }
      if (req.method === 'DELETE') {
        objects.delete(key)
        return new Response(null, { status: 204 })
      }
      if (req.method === 'GET' || req.method === 'HEAD') {
        const bytes = objects.get(key)
        if (!bytes) return req.method === 'HEAD' ? new Response(null, { status: 404 }) : s3Error(404, 'NoSuchKey')
        const headers = { etag: etagOf(bytes), 'content-type': 'application/octet-stream', 'last-modified': new Date().toUTCString() }
        const range = req.headers.get('range')?.match(/^bytes=(\d+)-(\d*)$/)
        if (!range || req.method === 'HEAD') {
          return new Response(req.method === 'HEAD' ? null : bytes, { headers: { ...headers, 'content-length': String(bytes.byteLength) } })
        }
        const start = Number(range[1])
        const end = Math.min(range[2] ? Number(range[2]) : bytes.byteLength - 1, bytes.byteLength - 1)
        if (start >= bytes.byteLength) return s3Error(416, 'InvalidRange')
        return new Response(bytes.subarray(start, end + 1), {
          status: 206,
          headers: { ...headers, 'content-range': `bytes ${start}-${end}/${bytes.byteLength}` },
        })
      }
      return s3Error(405, 'MethodNotAllowed')
    },
  })

  function listObjects(q: URLSearchParams): Response {
    const prefix = q.get('prefix') ?? ''
    const max = Number(q.get('max-keys') ?? 1000)
    const after = q.get('continuation-token') ?? q.get('start-after') ?? ''
    const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort()
    const page = keys.slice(0, max)
    const truncated = keys.length > page.length
    const contents = page
      .map((k) => `<Contents><Key>${escapeXml(k)}</Key><Size>${objects.get(k)!.byteLength}</Size><ETag>${etagOf(objects.get(k)!)}</ETag><LastModified>${new Date().toISOString()}</LastModified><StorageClass>STANDARD</StorageClass></Contents>`)
      .join('')
    const next = truncated ? `<NextContinuationToken>${escapeXml(page.at(-1)!)}</NextContinuationToken>` : ''
    return xml(
      `<ListBucketResult><Name>${bucket}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}${next}</ListBucketResult>`,
    )
  }

  return {
    url: `http://127.0.0.1:${server.port}`,
    bucket,
    objects,
    log,
    get unauthorized() {
      return state.unauthorized
    },
    stop: () => void server.stop(true),
  }
}
