// A plain HTTP request to the label stream: the WebSocket route (src/xrpc/routes/firehose.ts) takes every
// request with an Upgrade header, so reaching this handler means the client forgot it.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { XRPCError } from '../../../../xrpc/errors.ts'

export default defineHandler({
  nsid: 'com.atproto.label.subscribeLabels',
  auth: 'none',
  handler: () => {
    throw new XRPCError(
      426,
      'InvalidRequest',
      'com.atproto.label.subscribeLabels is an event stream: connect with a WebSocket (ws:// or wss://, Upgrade: websocket)',
      { Upgrade: 'websocket' },
    )
  },
})
