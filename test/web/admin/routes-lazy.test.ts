// The console is mounted as /admin and /admin/* and its pages load at the first request: every route
// of its table must be under /admin, reachable, and anything else under /admin is a 404.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { ADMIN_ROUTES } from '../../../src/web/admin/app.ts'
import { startTestServer, type TestServer } from '../../helpers/server.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

test('every console route is under /admin and answers (signed out: the sign-in page or a redirect to it)', async () => {
  for (const route of ADMIN_ROUTES) {
    expect(route.path === '/admin' || route.path.startsWith('/admin/')).toBe(true)
    const res = await fetch(server.url + route.path, { method: route.method, redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: route.method === 'POST' ? 'x=1' : undefined })
    expect({ route: `${route.method} ${route.path}`, found: res.status !== 404 }).toEqual({ route: `${route.method} ${route.path}`, found: true })
  }
})

test('unknown console pages are 404; a trailing slash and HEAD reach the page', async () => {
  expect((await fetch(server.url + '/admin/no-such-page', { redirect: 'manual' })).status).toBe(404)
  expect((await fetch(server.url + '/admin/sign-in/', { redirect: 'manual' })).status).toBe(200)
  expect((await fetch(server.url + '/admin/sign-in', { method: 'HEAD', redirect: 'manual' })).status).toBe(200)
})
