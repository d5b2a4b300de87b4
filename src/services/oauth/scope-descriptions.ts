// What each requested scope allows, in plain words, for the consent page.
import { formatPermission, parseInclude, parsePermission } from './scopes.ts'
import { includedPermissions, type PermissionSetSource } from './permission-sets.ts'

const ACTION_WORDS: Record<string, string> = { create: 'create', update: 'change', delete: 'delete' }

function list(words: string[]): string {
  if (words.length <= 1) return words.join('')
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`
}

export function describeScope(scope: string, sets?: PermissionSetSource): string {
  switch (scope) {
    case 'atproto':
      return 'Know who you are: your handle and account identifier (DID).'
    case 'transition:generic':
      return 'Read and change everything in your account, like an app password: posts, likes, follows, lists, profile and uploads (not your private messages).'
    case 'transition:chat.bsky':
      return 'Read and send your private chat messages.'
    case 'transition:email':
      return 'See your email address.'
  }
  const include = parseInclude(scope)
  if (include) return describeInclude(scope, sets)
  const p = parsePermission(scope)
  if (!p) return `Unrecognised permission "${scope}".`
  switch (p.resource) {
    case 'repo': {
      const what = p.collection.includes('*') ? 'any kind of record' : `records of type ${list(p.collection)}`
      return `${capitalise(list(p.action.map((a) => ACTION_WORDS[a]!)))} ${what} in your repository.`
    }
    case 'blob':
      return p.accept.includes('*/*') ? 'Upload files of any type.' : `Upload files of type ${list(p.accept)}.`
    case 'rpc': {
      const calls = p.lxm.includes('*') ? 'any method' : list(p.lxm)
      const where = p.aud === '*' ? 'any service' : p.aud
      return `Call ${calls} on ${where} in your name.`
    }
    case 'account': {
      const read = { email: 'See your email address', repo: 'Read your repository as a whole', status: 'See whether your account is active' }
      const manage = { email: 'Change your email address', repo: 'Import data into your repository', status: 'Activate or deactivate your account' }
      return `${(p.action === 'manage' ? manage : read)[p.attr]}.`
    }
    case 'identity':
      return p.attr === 'handle' ? 'Change your handle.' : 'Change your handle and your DID document: full control of your identity.'
  }
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)

const sentence = (s: string) => (/[.!?]$/.test(s.trim()) ? s.trim() : `${s.trim()}.`)

/** A permission set in its own words (title and detail from its lexicon), or what it expands to. */
function describeInclude(scope: string, sets?: PermissionSetSource): string {
  const include = parseInclude(scope)!
  const set = sets?.(include.nsid)
  if (!set) return `Use the permission set ${include.nsid} (unknown to this server).`
  const where = include.aud ? ` Requests to other services go to ${include.aud}.` : ''
  if (set.title) return `${sentence(set.title)}${set.detail ? ` ${sentence(set.detail)}` : ''}${where}`
  const granted = includedPermissions(include, set).map((p) => describeScope(formatPermission(p)))
  return granted.length ? `${granted.join(' ')}${where}` : `Use the permission set ${include.nsid}.`
}
