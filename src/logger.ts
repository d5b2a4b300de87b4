// Structured JSON logs, one line per event, filtered by LOG_LEVEL.
const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: 100 } as const
export type LogLevel = keyof typeof LEVELS

export type Logger = {
  [K in Exclude<LogLevel, 'silent'>]: (msg: string, fields?: Record<string, unknown>) => void
} & { child(fields: Record<string, unknown>): Logger; level: LogLevel }

export function createLogger(level: LogLevel = 'info', base: Record<string, unknown> = {}, sink = (line: string) => process.stdout.write(line + '\n')): Logger {
  const threshold = LEVELS[level]
  const emit = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[lvl] < threshold) return
    sink(JSON.stringify({ level: lvl, time: new Date().toISOString(), ...base, msg, ...fields }, errorReplacer))
  }
  return {
    level,
    trace: emit('trace'),
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    fatal: emit('fatal'),
    child: (fields) => createLogger(level, { ...base, ...fields }, sink),
  }
}

function errorReplacer(_key: string, value: unknown) {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack }
  if (typeof value === 'bigint') return value.toString()
  return value
}
