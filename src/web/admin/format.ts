// Small formatters the console's pages share: durations and counts as people read them.
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  if (d > 0) return `${d} d ${h} h`
  if (h > 0) return `${h} h ${m} min`
  if (m > 0) return `${m} min`
  return `${s} s`
}

export const count = (n: number) => n.toLocaleString('en-US')

export const STATUS_LABEL: Record<string, string> = { active: 'Active', deactivated: 'Deactivated', takendown: 'Taken down' }
