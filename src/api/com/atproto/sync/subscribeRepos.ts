// A plain HTTP request to the firehose: the WebSocket route (src/services/sequencer/plugin.ts)
// takes every request with an Upgrade header, so reaching this handler means the client forgot it.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { XRPCError } from '../../../../xrpc/errors.ts'

export default defineHandler({
  nsid: 'com.atproto.sync.subscribeRepos',
  auth: 'none',
  handler: () => {
    throw new XRPCError(
      426,
      'InvalidRequest',
      'com.atproto.sync.subscribeRepos is an event stream: connect with a WebSocket (ws:// or wss://, Upgrade: websocket)',
      { Upgrade: 'websocket' },
    )
  },
})
