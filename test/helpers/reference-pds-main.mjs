// Runs the reference PDS (@atproto/pds) under Node 22 for the interop tests; started by
// test/helpers/reference-pds.ts with its configuration in PDS_* variables. Prints "listening <port>"
// when ready and shuts down cleanly on SIGTERM.
import http from 'node:http'

// The reference listens on every interface; the tests keep everything on loopback.
const listen = http.Server.prototype.listen
http.Server.prototype.listen = function (port, ...rest) {
  if (typeof port === 'number') return listen.call(this, port, '127.0.0.1', ...rest.filter((a) => typeof a === 'function'))
  return listen.call(this, port, ...rest)
}

// A test DNS server on a loopback port (the reference asks its backup nameservers on port 53 only).
if (process.env.TEST_DNS_SERVER) {
  const { Resolver } = await import('node:dns/promises')
  const setServers = Resolver.prototype.setServers
  Resolver.prototype.setServers = function () {
    return setServers.call(this, [process.env.TEST_DNS_SERVER])
  }
}

const { PDS, envToCfg, envToSecrets, readEnv } = await import('@atproto/pds')
const env = readEnv()
const pds = await PDS.create(envToCfg(env), envToSecrets(env))
await pds.start()
process.stdout.write(`listening ${pds.server.address().port}\n`)

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  await pds.destroy().catch((err) => process.stderr.write(`destroy: ${err}\n`))
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
