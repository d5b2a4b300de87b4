// Cookies of the web apps: HttpOnly, SameSite=Lax, Secure whenever the server is reached over https
// (everywhere but a local dev server), scoped to the app's path.
export function readCookies(req: Request): Map<string, string> {
  const out = new Map<string, string>()
  for (const part of (req.headers.get('cookie') ?? '').split(';')) {
    const i = part.indexOf('=')
    if (i <= 0) continue
    try {
      out.set(part.slice(0, i).trim(), decodeURIComponent(part.slice(i + 1).trim()))
    } catch {
      // a malformed cookie from elsewhere on the host is not ours: ignore it
    }
  }
  return out
}

/** `sameSite` Strict for the operator's console (no link from elsewhere arrives signed in); Lax by default. */
export type CookieOptions = { path: string; secure: boolean; maxAgeSeconds?: number; sameSite?: 'Lax' | 'Strict' }

export function setCookie(name: string, value: string, o: CookieOptions): string {
  const age = o.maxAgeSeconds === undefined ? '' : `; Max-Age=${o.maxAgeSeconds}`
  return `${name}=${encodeURIComponent(value)}; Path=${o.path}; HttpOnly; SameSite=${o.sameSite ?? 'Lax'}${age}${o.secure ? '; Secure' : ''}`
}

export function clearCookie(name: string, o: Omit<CookieOptions, 'maxAgeSeconds'>): string {
  return setCookie(name, '', { ...o, maxAgeSeconds: 0 })
}
