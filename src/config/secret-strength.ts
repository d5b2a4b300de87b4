// Whether a secret (PDS_JWT_SECRET, PDS_ADMIN_PASSWORD) is too weak to run a public server with:
// shorter than 32 characters, or long but obviously guessable (one character, a repeated chunk,
// a run like "abcdef…"), judged by the text alone. A random hex or base64 string always passes.
export const MIN_SECRET_LENGTH = 32

export function weakSecretProblem(secret: string): string | null {
  if (secret.length < MIN_SECRET_LENGTH) return `is too short (${secret.length} characters)`
  if (repeatedUnit(secret)) return 'is a repeated pattern'
  let steps = 0
  for (let i = 1; i < secret.length; i++) if (Math.abs(secret.charCodeAt(i) - secret.charCodeAt(i - 1)) <= 1) steps++
  if (steps / (secret.length - 1) > 0.75) return 'is mostly a run of neighbouring characters'
  if (entropyBits(secret) < 80) return 'has too little variety to be random'
  return null
}

/** "abcabcabc…": the string is one chunk (shorter than half of it) over and over. */
function repeatedUnit(s: string): boolean {
  for (let unit = 1; unit <= s.length / 2; unit++) {
    let repeats = true
    for (let i = unit; i < s.length && repeats; i++) repeats = s[i] === s[i - unit]
    if (repeats) return true
  }
  return false
}

/** Length × the empirical Shannon entropy of its characters. */
function entropyBits(s: string): number {
  const counts = new Map<string, number>()
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1)
  let perChar = 0
  for (const n of counts.values()) perChar -= (n / s.length) * Math.log2(n / s.length)
  return perChar * s.length
}
