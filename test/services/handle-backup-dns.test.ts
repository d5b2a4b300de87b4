// The handle resolver's backup nameservers (PDS_HANDLE_BACKUP_NAMESERVERS), as the reference: asked after
// the system's DNS and HTTPS found nothing; one answer only counts; a bad address is no answer.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { resolveHandleDnsBackup, resolveHandleRemote } from '../../src/services/identity/handle-resolver.ts'
import { startDnsServer, type TestDns } from '../helpers/dns.ts'

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
let dns: TestDns
beforeAll(async () => {
  dns = await startDnsServer({
    '_atproto.alice.example.org': [`did=${DID}`],
    '_atproto.two.example.org': [`did=${DID}`, 'did=did:plc:someoneelse'],
    '_atproto.noise.example.org': ['hello', `did=${DID}`],
  })
})
afterAll(() => dns.close())

test('a TXT record on the backup nameserver names the DID', async () => {
  expect(await resolveHandleDnsBackup('alice.example.org', [dns.address])).toBe(DID)
  expect(await resolveHandleDnsBackup('noise.example.org', [dns.address])).toBe(DID)
  expect(await resolveHandleRemote('alice.example.org', 500, [dns.address])).toBe(DID)
})

test('no record, two different DIDs, no backup or a bad address: no answer', async () => {
  expect(await resolveHandleDnsBackup('bob.example.org', [dns.address])).toBeNull()
  expect(await resolveHandleDnsBackup('two.example.org', [dns.address])).toBeNull()
  expect(await resolveHandleDnsBackup('alice.example.org', [])).toBeNull()
  expect(await resolveHandleDnsBackup('alice.example.org', ['not an address'])).toBeNull()
})
