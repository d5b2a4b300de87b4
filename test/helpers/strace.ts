// Runs a program under `strace -f` and reads the trace back as a list of file and socket events, so a
// test can check the order of writes, fsyncs and HTTP responses (test/e2e/durability-strace.test.ts).
import { readFileSync } from 'node:fs'
import { dirname } from 'node:path'

/** Syscalls traced: file writes, syncs, renames, directory creation, and socket sends. */
export const TRACED = 'pwrite64,pwritev,pwritev2,write,writev,fsync,fdatasync,rename,renameat,renameat2,mkdir,mkdirat,sendto,sendmsg'

export function straceCommand(traceFile: string, command: string[]): string[] {
  // -y: file descriptors with their paths; -s: enough of each string to find a response body.
  return ['strace', '-f', '-qq', '-y', '-s', '1024', '-e', `trace=${TRACED}`, '-o', traceFile, ...command]
}

export type TraceEvent =
  | { kind: 'write'; line: number; path: string }
  | { kind: 'sync'; line: number; path: string }
  /** A name created, moved or made in `dir` (rename target, mkdir): durable once `dir` is synced. */
  | { kind: 'dirent'; line: number; dir: string; path: string }
  | { kind: 'send'; line: number; text: string }

const LINE = /^(\d+)\s+(?:<\.\.\. (\w+) resumed>(.*)|(\w+)\((.*))$/
const FD_PATH = /^\d+<([^>]*)>/
const STRING = /"((?:[^"\\]|\\.)*)"/g

/**
 * Events in the order the kernel completed them. A write or send counts from its start (its bytes
 * may already be out), a sync only once it returned 0; failed calls are dropped.
 */
export function readTrace(traceFile: string): TraceEvent[] {
  const events: TraceEvent[] = []
  const pending = new Map<string, { call: string; args: string }>()
  const lines = readFileSync(traceFile, 'utf8').split('\n')
  lines.forEach((text, line) => {
    const m = LINE.exec(text)
    if (!m) return
    const pid = m[1]!
    let call: string
    let args: string
    if (m[2]) {
      const started = pending.get(pid)
      pending.delete(pid)
      if (!started) return
      call = started.call
      args = started.args + m[3]!
    } else {
      call = m[4]!
      args = m[5]!
      if (args.endsWith('<unfinished ...>')) {
        pending.set(pid, { call, args: args.slice(0, -'<unfinished ...>'.length) })
        // Writes and sends count from their start.
        if (!/sync$/.test(call)) push(events, line, call, args, true)
        return
      }
    }
    const result = /\)\s*=\s*(-?\d+)/.exec(args)
    if (!result || Number(result[1]) < 0) return
    if (m[2] && !/sync$/.test(call)) return // already counted at its start
    push(events, line, call, args, false)
  })
  return events
}

function push(events: TraceEvent[], line: number, call: string, args: string, unfinished: boolean) {
  const fdPath = FD_PATH.exec(args)?.[1]
  const strings = [...args.matchAll(STRING)].map((s) => unescape(s[1]!))
  if (call === 'fsync' || call === 'fdatasync') {
    if (fdPath && !unfinished) events.push({ kind: 'sync', line, path: fdPath })
  } else if (call.startsWith('send') || ((call === 'write' || call === 'writev') && fdPath?.startsWith('socket:'))) {
    events.push({ kind: 'send', line, text: strings.join('') })
  } else if (call.startsWith('rename')) {
    const target = strings[1]
    if (target) events.push({ kind: 'dirent', line, dir: dirname(target), path: target })
  } else if (call.startsWith('mkdir')) {
    const made = strings[0]
    if (made) events.push({ kind: 'dirent', line, dir: dirname(made), path: made })
  } else if (fdPath && fdPath.startsWith('/')) {
    events.push({ kind: 'write', line, path: fdPath })
  }
}

function unescape(s: string): string {
  return s.replace(/\\(["\\])/g, '$1').replace(/\\r/g, '\r').replace(/\\n/g, '\n')
}

/** Index of the first send whose bytes start an HTTP response containing `marker`. */
export function responseIndex(events: TraceEvent[], marker: string, from = 0): number {
  return events.findIndex((e, i) => i >= from && e.kind === 'send' && e.text.startsWith('HTTP/1.1 ') && e.text.includes(marker))
}

/**
 * Everything in events[from, to) that is not yet durable at `to`: a write to a file not followed by a
 * sync of that file, a new or renamed name not followed by a sync of its directory. `durable(path)`
 * says which files must be (the others, such as caches, are ignored).
 */
export function unsyncedBefore(events: TraceEvent[], from: number, to: number, durable: (path: string) => boolean): string[] {
  const problems: string[] = []
  const synced = (path: string, after: number) => events.slice(after + 1, to).some((e) => e.kind === 'sync' && e.path === path)
  for (let i = from; i < to; i++) {
    const e = events[i]!
    if (e.kind === 'write' && durable(e.path) && !synced(e.path, i)) problems.push(`write to ${e.path} not synced`)
    if (e.kind === 'dirent' && durable(e.path) && !synced(e.dir, i)) problems.push(`new name ${e.path} not synced in ${e.dir}`)
  }
  return [...new Set(problems)]
}

/** The files written (and synced) in events[from, to). */
export function filesIn(events: TraceEvent[], from: number, to: number, kind: 'write' | 'sync'): Set<string> {
  const files = new Set<string>()
  for (const e of events.slice(from, to)) if (e.kind === kind) files.add(e.path)
  return files
}
