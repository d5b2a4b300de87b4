// Who listens on a TCP port, for "port 2583 is in use by pid 1234 (pds serve)". Linux only, best
// effort: /proc/net/tcp{,6} gives the listening socket's inode, /proc/<pid>/fd the process holding
// it (readable for our own processes, or all of them as root). Elsewhere: null.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'

const LISTEN = '0A'

function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string
    try {
      text = readFileSync(table, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      const local = cols[1]
      if (!local || cols[3] !== LISTEN) continue
      if (parseInt(local.split(':')[1]!, 16) === port) inodes.add(cols[9]!)
    }
  }
  return inodes
}

function commandLine(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ')
  } catch {
    return ''
  }
}

export function portOwner(port: number): { pid: number; command: string } | null {
  const inodes = listeningInodes(port)
  if (!inodes.size) return null
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name))
  } catch {
    return null
  }
  for (const pid of pids) {
    let fds: string[]
    try {
      fds = readdirSync(`/proc/${pid}/fd`)
    } catch {
      continue
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`)
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1]
        if (inode && inodes.has(inode)) return { pid: Number(pid), command: commandLine(pid) }
      } catch {
        // the fd closed meanwhile
      }
    }
  }
  return null
}

export function describePortOwner(port: number): string {
  const owner = portOwner(port)
  if (!owner) return 'another process'
  const command = owner.command.length > 60 ? `${owner.command.slice(0, 57)}...` : owner.command
  return `pid ${owner.pid}${command ? ` (${command})` : ''}`
}
