// Language tags (https://atproto.com/specs/lexicon#language): BCP 47 / RFC 5646 well-formedness, plus the
// stricter rules the interop vectors require: a lower-case 2-3 letter primary language subtag, and no
// repeated variant or extension singleton (RFC 5646 §4.1). Grandfathered and private-use tags pass as is.
import { makeEnsure, makeIsValid } from './errors.ts'

const GRANDFATHERED = new Set([
  'en-GB-oed', 'i-ami', 'i-bnn', 'i-default', 'i-enochian', 'i-hak', 'i-klingon', 'i-lux', 'i-mingo',
  'i-navajo', 'i-pwn', 'i-tao', 'i-tay', 'i-tsu', 'sgn-BE-FR', 'sgn-BE-NL', 'sgn-CH-DE',
  'art-lojban', 'cel-gaulish', 'no-bok', 'no-nyn', 'zh-guoyu', 'zh-hakka', 'zh-min', 'zh-min-nan', 'zh-xiang',
])

const PRIVATE_USE_REGEX = /^[xX](-[A-Za-z0-9]{1,8})+$/
const SCRIPT = /^[A-Za-z]{4}$/
const REGION = /^([A-Za-z]{2}|[0-9]{3})$/
const VARIANT = /^([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3})$/
const SINGLETON = /^[0-9A-WYZa-wyz]$/
const EXTENSION_PART = /^[A-Za-z0-9]{2,8}$/
const PRIVATE_PART = /^[A-Za-z0-9]{1,8}$/

/** Walks a "langtag" (RFC 5646 §2.1) subtag by subtag; returns a reason when it is not acceptable. */
function checkLangtag(subtags: string[]): string | null {
  let i = 0
  const primary = subtags[i++]!
  if (!/^[a-z]{2,3}$/.test(primary)) return 'primary language subtag must be 2-3 lower-case letters'
  for (let extlangs = 0; extlangs < 3 && i < subtags.length && /^[A-Za-z]{3}$/.test(subtags[i]!); extlangs++) i++
  if (i < subtags.length && SCRIPT.test(subtags[i]!)) i++
  if (i < subtags.length && REGION.test(subtags[i]!)) i++

  const variants = new Set<string>()
  for (; i < subtags.length && VARIANT.test(subtags[i]!); i++) {
    const variant = subtags[i]!.toLowerCase()
    if (variants.has(variant)) return `repeated variant subtag "${subtags[i]}"`
    variants.add(variant)
  }

  const singletons = new Set<string>()
  while (i < subtags.length && SINGLETON.test(subtags[i]!)) {
    const singleton = subtags[i++]!.toLowerCase()
    if (singletons.has(singleton)) return `repeated extension singleton "${singleton}"`
    singletons.add(singleton)
    const start = i
    while (i < subtags.length && EXTENSION_PART.test(subtags[i]!)) i++
    if (i === start) return `extension "${singleton}" has no subtags`
  }

  if (i < subtags.length && /^[xX]$/.test(subtags[i]!)) {
    const start = ++i
    while (i < subtags.length && PRIVATE_PART.test(subtags[i]!)) i++
    if (i === start) return 'private-use section has no subtags'
  }
  return i === subtags.length ? null : `unexpected subtag "${subtags[i]}"`
}

function checkLanguage(input: string): string | null {
  if (GRANDFATHERED.has(input) || PRIVATE_USE_REGEX.test(input)) return null
  if (!/^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$/.test(input)) return 'must be dash-separated ASCII letters and digits'
  return checkLangtag(input.split('-'))
}

export const isValidLanguage = makeIsValid(checkLanguage)
export const ensureValidLanguage = makeEnsure('language', checkLanguage)
