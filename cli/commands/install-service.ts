// `pds install-service`: a hardened systemd unit and a sample Caddyfile (TLS with on-demand
// certificates for handle subdomains, allowed by the server's /tls-check).
import type { Command } from 'commander'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { loadCliConfig } from '../lib/config.ts'
import { CliError, EXIT } from '../lib/errors.ts'
import { Output, runCommand } from '../lib/output.ts'
import { withConfigOptions, withJsonOption } from '../lib/options.ts'

export type ServiceOptions = {
  user: string
  binary: string
  dataDirectory: string
  /** Other folders the server writes to (a backup folder outside the data directory). */
  extraWritablePaths: string[]
  hostname: string
  handleDomains: string[]
  port: number
}

export function systemdUnit(o: ServiceOptions): string {
  const writable = [o.dataDirectory, ...o.extraWritablePaths.filter((p) => !p.startsWith(o.dataDirectory + '/'))]
  return `# Written by \`pds install-service\`. Install: see the steps it printed.
[Unit]
Description=AT Protocol Personal Data Server (pds)
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=${o.user}
Group=${o.user}
ExecStart=${o.binary} serve --data-dir ${o.dataDirectory}
Environment=PDS_DATA_DIRECTORY=${o.dataDirectory}
# The binary unpacks its image library (sharp/libvips) into a cache folder on first start.
CacheDirectory=pds
Environment=PDS_NATIVE_CACHE_DIR=/var/cache/pds
Restart=on-failure
RestartSec=5
TimeoutStopSec=30
LimitNOFILE=65536
UMask=0077

# Hardening: the server may write to its data directory and nowhere else.
ProtectSystem=strict
ReadWritePaths=${writable.join(' ')}
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
NoNewPrivileges=yes
CapabilityBoundingSet=
AmbientCapabilities=
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
ProtectProc=invisible
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
SystemCallArchitectures=native
# Not MemoryDenyWriteExecute: Bun's JavaScript JIT needs writable+executable memory.

[Install]
WantedBy=multi-user.target
`
}

export function caddyfile(o: ServiceOptions): string {
  const sites = [o.hostname, ...o.handleDomains.map((d) => `*${d}`)]
  return `# Sample Caddyfile written by \`pds install-service\` (Caddy terminates TLS, pds listens on ${o.port}).
# Certificates for handle subdomains are issued on demand; Caddy first asks the server
# (GET /tls-check?domain=...), which allows only this hostname and handles of its accounts.
{
	on_demand_tls {
		ask http://127.0.0.1:${o.port}/tls-check
	}
}

${[...new Set(sites)].join(', ')} {
	tls {
		on_demand
	}
	reverse_proxy http://127.0.0.1:${o.port}
}
`
}

type InstallOptions = {
  dataDir?: string
  envFile?: string
  user: string
  binary?: string
  unitPath: string
  caddyfile: string
  print?: boolean
  force?: boolean
  json?: boolean
}

export function registerInstallService(program: Command): void {
  withJsonOption(withConfigOptions(program.command('install-service')))
    .description('write a hardened systemd unit for `pds serve` and a sample Caddyfile for TLS')
    .option('--user <name>', 'dedicated system user to run as', 'pds')
    .option('--binary <path>', 'path of the pds binary (default: this executable)')
    .option('--unit-path <file>', 'where to write the unit', '/etc/systemd/system/pds.service')
    .option('--caddyfile <file>', 'where to write the sample Caddyfile', '/etc/caddy/Caddyfile.pds')
    .option('--print', 'print both files instead of writing them')
    .option('--force', 'overwrite existing files')
    .action((opts: InstallOptions) => {
      const out = new Output(opts)
      return runCommand(out, () => {
        const { config } = loadCliConfig(opts)
        const service: ServiceOptions = {
          user: opts.user,
          binary: resolve(opts.binary ?? defaultBinary()),
          dataDirectory: config.db.dataDirectory,
          extraWritablePaths: [config.backup?.directory, config.blobstore.provider === 'disk' ? config.blobstore.location : undefined].filter(
            (p): p is string => Boolean(p),
          ),
          hostname: config.service.hostname,
          handleDomains: config.identity.serviceHandleDomains,
          port: config.service.port,
        }
        const files = [
          { path: resolve(opts.unitPath), text: systemdUnit(service) },
          { path: resolve(opts.caddyfile), text: caddyfile(service) },
        ]
        if (opts.print) {
          out.result({ ok: true, files }, () => files.map((f) => `# ---- ${f.path}\n${f.text}`).join('\n'))
          return
        }
        for (const f of files) {
          if (existsSync(f.path) && !opts.force) throw new CliError(`${f.path} already exists; pass --force to overwrite it`, EXIT.refused)
        }
        for (const f of files) {
          try {
            mkdirSync(dirname(f.path), { recursive: true })
            writeFileSync(f.path, f.text, { mode: 0o644 })
          } catch (err) {
            throw new CliError(`cannot write ${f.path}: ${(err as Error).message} (run as root, or pass --print)`, EXIT.failed)
          }
        }
        const steps = [
          `useradd --system --home-dir ${service.dataDirectory} --shell /usr/sbin/nologin ${service.user}`,
          `chown -R ${service.user}:${service.user} ${service.dataDirectory}`,
          'systemctl daemon-reload',
          `systemctl enable --now ${unitName(opts.unitPath)}`,
          `add ${files[1]!.path} to Caddy (e.g. \`import ${files[1]!.path}\` in /etc/caddy/Caddyfile) and reload Caddy`,
        ]
        out.result({ ok: true, written: files.map((f) => f.path), nextSteps: steps }, () =>
          [`Wrote ${files[0]!.path}`, `Wrote ${files[1]!.path}`, 'Next steps (as root):', ...steps.map((s) => `  ${s}`)].join('\n'),
        )
      })
    })
}

/** The compiled binary is process.execPath; under `bun cli/main.ts` point at the installed name. */
function defaultBinary(): string {
  return /(^|\/)bun$/.test(process.execPath) ? '/usr/local/bin/pds' : process.execPath
}

function unitName(path: string): string {
  return path.split('/').pop()!
}
