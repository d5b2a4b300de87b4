// What the web forms ask of a new password (the XRPC methods accept any up to the reference's maximum).
import { NEW_PASSWORD_MAX_LENGTH } from '../../services/auth/scrypt.ts'

export const PASSWORD_HINT = 'At least 8 characters. A few unrelated words make a strong one.'

/** The problem with a new password and its repetition, or null. */
export function newPasswordProblem(password: string, repeat: string): { field: 'password' | 'repeat'; message: string } | null {
  if (password.length < 8) return { field: 'password', message: 'Use at least 8 characters.' }
  if (password.length > NEW_PASSWORD_MAX_LENGTH) return { field: 'password', message: `Use at most ${NEW_PASSWORD_MAX_LENGTH} characters.` }
  if (password !== repeat) return { field: 'repeat', message: 'The two passwords are not the same.' }
  return null
}
