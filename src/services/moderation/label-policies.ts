// The labeler's declared labels: the team account's app.bsky.labeler.service record, policies.labelValues
// and policies.labelValueDefinitions (the team's own labels, with their names and how apps show them).
// Only admins change them; every change is one repo write, so apps see it through the firehose.
import { invalidInput } from '../errors.ts'
import type { ModContext } from './context.ts'
import { assertAdmin, type Caller } from './team.ts'

const COLLECTION = 'app.bsky.labeler.service'
const VALUE = /^!?[a-z0-9-]{1,128}$/
const CUSTOM = /^[a-z0-9-]{1,100}$/

export const SEVERITIES = ['inform', 'alert', 'none'] as const
export const BLURS = ['content', 'media', 'none'] as const
export const DEFAULT_SETTINGS = ['ignore', 'warn', 'hide'] as const

export type LabelValueDefinition = {
  identifier: string
  severity: (typeof SEVERITIES)[number]
  blurs: (typeof BLURS)[number]
  defaultSetting?: (typeof DEFAULT_SETTINGS)[number]
  adultOnly?: boolean
  locales: Array<{ lang: string; name: string; description: string }>
}

export type LabelPolicies = { labelValues: string[]; labelValueDefinitions: LabelValueDefinition[] }

export class LabelPolicyEditor {
  constructor(private readonly ctx: ModContext) {}

  private record() {
    const did = this.ctx.teamDid()
    if (!did) throw invalidInput('Moderation is not set up')
    const existing = this.ctx.repo.getRecord(did, COLLECTION, 'self')
    if (!existing) throw invalidInput('The team account has no labeler record yet')
    return { did, value: existing.value as { policies?: Partial<LabelPolicies>; createdAt?: string } & Record<string, unknown> }
  }

  current(): LabelPolicies {
    const { policies } = this.record().value
    return { labelValues: policies?.labelValues ?? [], labelValueDefinitions: policies?.labelValueDefinitions ?? [] }
  }

  /** Declares a label: a global one (`!warn`) or a value of the team's own, then with its definition. */
  async define(by: Caller, def: { identifier: string; name?: string; description?: string; severity?: string; blurs?: string; defaultSetting?: string; adultOnly?: boolean }) {
    assertAdmin(by, 'change the label definitions')
    const id = def.identifier.trim()
    if (!VALUE.test(id)) throw invalidInput(`Invalid label value: ${id || '(empty)'} (lowercase letters, digits and dashes; a leading ! for the global ones)`)
    const policies = this.current()
    const definitions = policies.labelValueDefinitions.filter((d) => d.identifier !== id)
    if (!id.startsWith('!') && def.name?.trim()) {
      if (!CUSTOM.test(id)) throw invalidInput('A defined label is at most 100 lowercase letters, digits and dashes')
      const pick = <T extends string>(v: string | undefined, allowed: readonly T[], what: string, fallback: T): T => {
        if (!v) return fallback
        if (!(allowed as readonly string[]).includes(v)) throw invalidInput(`${what} must be one of ${allowed.join(', ')}`)
        return v as T
      }
      definitions.push({
        identifier: id,
        severity: pick(def.severity, SEVERITIES, 'Severity', 'inform'),
        blurs: pick(def.blurs, BLURS, 'Blurs', 'none'),
        defaultSetting: pick(def.defaultSetting, DEFAULT_SETTINGS, 'Default setting', 'warn'),
        adultOnly: def.adultOnly ?? false,
        locales: [{ lang: 'en', name: def.name.trim().slice(0, 64), description: (def.description ?? '').trim().slice(0, 10_000) }],
      })
    }
    const labelValues = policies.labelValues.includes(id) ? policies.labelValues : [...policies.labelValues, id]
    await this.write({ labelValues, labelValueDefinitions: definitions })
  }

  /** Stops declaring a label (labels already issued stay valid). */
  async remove(by: Caller, identifier: string) {
    assertAdmin(by, 'change the label definitions')
    const policies = this.current()
    if (!policies.labelValues.includes(identifier)) throw invalidInput(`The labeler does not declare ${identifier}`, 'LabelNotFound')
    await this.write({
      labelValues: policies.labelValues.filter((v) => v !== identifier),
      labelValueDefinitions: policies.labelValueDefinitions.filter((d) => d.identifier !== identifier),
    })
  }

  private async write(policies: LabelPolicies) {
    const { did, value } = this.record()
    const next = { ...value, policies: policies.labelValueDefinitions.length ? policies : { labelValues: policies.labelValues } }
    await this.ctx.repo.applyWrites(did, [{ action: 'update', collection: COLLECTION, rkey: 'self', value: next }])
  }
}
