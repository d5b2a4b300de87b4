// s3://bucket/prefix[?endpoint=…&region=…&force_path_style=true]: where off-site backups go. The query
// carries what an operator would otherwise put in PDS_BACKUP_S3_*, so one URL on a fresh host is enough.
export type S3Location = {
  bucket: string
  /** No leading or trailing slash; '' for the bucket's root. */
  prefix: string
  endpoint?: string
  region?: string
  forcePathStyle?: boolean
}

/** The location, or a sentence saying what is wrong with the URL. */
export function parseS3Url(text: string): S3Location | string {
  if (!text.startsWith('s3://')) return 'must be an s3://bucket/prefix URL'
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return 'must be an s3://bucket/prefix URL'
  }
  const bucket = url.hostname
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) return `"${bucket}" is not an S3 bucket name`
  const prefix = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '')
  const out: S3Location = { bucket, prefix }
  for (const [name, value] of url.searchParams) {
    if (name === 'endpoint') {
      if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) return `endpoint=${value} must be an http(s) URL`
      out.endpoint = value
    } else if (name === 'region') out.region = value
    else if (name === 'force_path_style' || name === 'forcePathStyle') out.forcePathStyle = /^(true|1|yes)$/i.test(value)
    else return `unknown parameter ${name} (known: endpoint, region, force_path_style)`
  }
  return out
}

export function formatS3Url(location: { bucket: string; prefix: string }): string {
  return `s3://${location.bucket}${location.prefix ? `/${location.prefix}` : ''}`
}
