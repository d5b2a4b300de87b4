/** @jsxImportSource ../ui/jsx */
// /admin: the server at a glance. Version and uptime, accounts by state, records and blobs, database
// sizes and free disk, the firehose, relays, the last backup, the configuration (secrets masked), and
// the newest errors from the log.
import { Card, formatBytes, When } from '../ui/components.tsx'
import { ADMIN_BASE, type AdminRequest } from './context.ts'
import { count, formatDuration } from './format.ts'
import { formatSyncMs } from '../../services/health/index.ts'
import { asOperator } from './router.ts'
import { adminPage } from './shell.tsx'

function Stat(p: { label: string; value: string; href?: string }) {
  return (
    <div class="card">
      <div class="muted small">{p.label}</div>
      <div class="stat">{p.href ? <a href={p.href}>{p.value}</a> : p.value}</div>
    </div>
  )
}

export async function showServer(r: AdminRequest): Promise<Response> {
  const s = asOperator(r)
  const o = await s.app.services.console.overview.read()
  const accounts = `${ADMIN_BASE}/accounts`
  const lowDisk = o.disk && o.disk.totalBytes > 0 && o.disk.freeBytes / o.disk.totalBytes < 0.1
  return adminPage(s, {
    title: 'Server',
    current: ADMIN_BASE,
    children: (
      <>
        <h1>Server</h1>
        <p class="muted">
          pds {o.version} · up {formatDuration(o.uptimeMs)} (since <When at={o.startedAt} />)
        </p>
        <section class="card" aria-labelledby="alerts-title">
          <h2 id="alerts-title">Alerts</h2>
          {o.alerts.length === 0 ? (
            <p class="muted">None: backups on time, disk below its threshold, the firehose appending, upstreams and mail working.</p>
          ) : (
            <ul class="items">
              {o.alerts.map((a) => (
                <li>
                  <div class="what">
                    <span class="badge warn">{a.id}</span> {a.message}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
        <h2>Accounts</h2>
        <div class="grid">
          <Stat label="Active" value={count(o.accounts.active)} href={`${accounts}?status=active`} />
          <Stat label="Deactivated" value={count(o.accounts.deactivated)} href={`${accounts}?status=deactivated`} />
          <Stat label="Taken down" value={count(o.accounts.takendown)} href={`${accounts}?status=takendown`} />
          <Stat label="All" value={count(o.accounts.total)} href={accounts} />
        </div>
        <h2 class="gap">Content</h2>
        <div class="grid">
          <Stat label="Records" value={count(o.repos.records)} />
          <Stat label="Blobs" value={count(o.repos.blobs)} />
          <Stat label="Blob bytes" value={formatBytes(o.repos.blobBytes)} />
          <Stat label="Firehose head seq" value={count(o.firehose.headSeq)} />
          <Stat label="Firehose subscribers" value={count(o.firehose.subscribers)} />
        </div>
        <p class="muted small">
          Records and blobs as counted at <When at={o.repos.measuredAt} /> (counted in the background at most every five minutes, the same count the public status page shows).
        </p>
        <Card title="Storage">
          <dl class="facts">
            {o.databases.map((d) => (
              <>
                <dt>{d.name}</dt>
                <dd>{d.bytes === null ? 'missing' : formatBytes(d.bytes)}</dd>
              </>
            ))}
            <dt>Free disk</dt>
            <dd>
              {o.disk ? `${formatBytes(o.disk.freeBytes)} of ${formatBytes(o.disk.totalBytes)}` : 'unknown'}
              {lowDisk && <span class="badge warn">under 10% free</span>}
            </dd>
            <dt>Disk syncs</dt>
            <dd>
              {o.diskSyncs
                ? `median ${formatSyncMs(o.diskSyncs.medianMs)}, slowest ${formatSyncMs(o.diskSyncs.slowestMs)} (the last ${o.diskSyncs.count}; every write waits for one)`
                : 'none since the server started'}
            </dd>
          </dl>
        </Card>
        <Card title="Backups">
          {!o.backup ? (
            <p>No scheduled backups (set PDS_BACKUP_DIRECTORY or PDS_BACKUP_INTERVAL, or run <code>pds backup</code>).</p>
          ) : (
            <dl class="facts">
              <dt>Directory</dt>
              <dd class="mono">{o.backup.directory}</dd>
              <dt>Every</dt>
              <dd>{formatDuration(o.backup.intervalMs)}</dd>
              <dt>Last backup</dt>
              <dd>
                {o.backup.last ? (
                  <>
                    <When at={o.backup.last.finishedAt} /> ({formatDuration(o.backup.last.ageMs)} ago, {formatBytes(o.backup.last.bytes)}, {o.backup.last.accounts} accounts)
                    {o.backup.last.ageMs > 2 * o.backup.intervalMs && <span class="badge warn">overdue</span>}
                  </>
                ) : (
                  'none yet'
                )}
              </dd>
            </dl>
          )}
        </Card>
        <Card title="Relays">
          {o.relays.length === 0 ? (
            <p>No relays configured (PDS_CRAWLERS).</p>
          ) : (
            <ul class="items">
              {o.relays.map((relay) => (
                <li>
                  <div class="what">
                    <span class="mono">{relay.host}</span>
                    <div class="small muted">
                      {relay.lastAskedAt ? (
                        <>
                          Last asked to crawl <When at={relay.lastAskedAt} />
                        </>
                      ) : (
                        'Not asked since the server started'
                      )}
                      {relay.lastOutcome &&
                        (relay.lastOutcome.ok ? <span class="badge ok">accepted</span> : <span class="badge warn">{relay.lastOutcome.message ?? `HTTP ${relay.lastOutcome.status}`}</span>)}
                    </div>
                    <div class="small muted">
                      {relay.lastConnectedAt ? (
                        <>
                          Last connected to the firehose <When at={relay.lastConnectedAt} /> (its addresses: {relay.addresses.join(', ')})
                        </>
                      ) : (
                        'Not connected to the firehose since the server started'
                      )}
                    </div>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Connected subscribers">
          {o.firehose.connections.length === 0 ? (
            <p class="muted">Nobody is connected to the firehose.</p>
          ) : (
            <ul class="items">
              {o.firehose.connections.map((c) => (
                <li>
                  <div class="what">
                    <span class="mono">{c.ip}</span>
                    <div class="small muted">
                      Connected <When at={c.connectedAt} />
                    </div>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Recent errors">
          {o.errors.length === 0 ? (
            <p class="muted">No errors logged since the server started.</p>
          ) : (
            <ul class="items">
              {o.errors.slice(0, 20).map((e) => (
                <li>
                  <div class="what">
                    <div class="small muted">
                      <When at={e.time} /> · {e.level}
                    </div>
                    <code class="small">{e.line}</code>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Configuration">
          <dl class="facts stack">
            {o.config.map((c) => (
              <>
                <dt class="mono small">{c.name}</dt>
                <dd>{c.value}</dd>
              </>
            ))}
          </dl>
        </Card>
      </>
    ),
  })
}
