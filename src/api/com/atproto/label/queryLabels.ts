// The labeler's labels by URI pattern (exact, or a prefix ending in *) and source, oldest first. Public.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { InvalidRequestError } from '../../../../xrpc/errors.ts'
import { labelJson } from '../../../../services/moderation/labeler.ts'

type Params = { uriPatterns: string[]; sources?: string[]; limit: number; cursor?: string }

export default defineHandler<Params>({
  nsid: 'com.atproto.label.queryLabels',
  auth: 'none',
  // Without a team this server issues no labels: the call goes to the AppView, as the reference's.
  servedHere: (services) => services.moderation.enabled,
  handler: ({ params, services }) => {
    if (params.cursor !== undefined && !/^\d{1,15}$/.test(params.cursor)) throw InvalidRequestError('Malformed cursor')
    for (const p of params.uriPatterns) {
      if (p.indexOf('*') !== -1 && p.indexOf('*') !== p.length - 1) throw InvalidRequestError(`Invalid uriPattern: ${p} (a * may only end a pattern)`)
    }
    const rows = services.moderation.labeler.query({
      patterns: params.uriPatterns,
      sources: params.sources,
      after: params.cursor === undefined ? undefined : Number(params.cursor),
      limit: params.limit,
    })
    const last = rows.at(-1)
    return { labels: rows.map(labelJson), ...(rows.length === params.limit && last ? { cursor: String(last.seq) } : {}) }
  },
})
