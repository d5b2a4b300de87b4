// Structured JSON logs, one line per event, filtered by LOG_LEVEL.
const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: 100 } as const
export type LogLevel = keyof typeof LEVELS

export type Logger = {
  [K in Exclude<LogLevel, 'silent'>]: (msg: string, fields?: Record<string, unknown>) => void
} & {
  child(fields: Record<string, unknown>): Logger
  level: LogLevel
  /** The newest error and fatal lines of this logger and its children, oldest first (the console's server page). */
  recentErrors?: () => RecentError[]
}

export type RecentError = { level: 'error' | 'fatal'; time: string; line: string }

/** How many error lines the logger keeps in memory (whatever LOG_LEVEL says) for the operator's console. */
export const RECENT_ERRORS_KEPT = 50

export function createLogger(
  level: LogLevel = 'info',
  base: Record<string, unknown> = {},
  sink = (line: string) => process.stdout.write(line + '\n'),
  recent: RecentError[] = [],
): Logger {
  const threshold = LEVELS[level]
  const emit = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    const keep = lvl === 'error' || lvl === 'fatal'
    if (LEVELS[lvl] < threshold && !keep) return
    const time = new Date().toISOString()
    const line = JSON.stringify({ level: lvl, time, ...base, msg, ...fields }, errorReplacer)
    if (keep) {
      recent.push({ level: lvl, time, line: line.length > 2000 ? `${line.slice(0, 2000)}…` : line })
      if (recent.length > RECENT_ERRORS_KEPT) recent.shift()
    }
    if (LEVELS[lvl] >= threshold) sink(line)
  }
  return {
    recentErrors: () => [...recent],
    level,
    trace: emit('trace'),
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    fatal: emit('fatal'),
    child: (fields) => createLogger(level, { ...base, ...fields }, sink, recent),
  }
}

function errorReplacer(_key: string, value: unknown) {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack }
  if (typeof value === 'bigint') return value.toString()
  return value
}
