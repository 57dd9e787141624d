import type { PortalSettings, SectionId } from '../../../src/schemas/organization.js';
import { sectionIds } from '../../../src/schemas/organization.js';

export const defaultActions = {
  plan_change: true,
  downgrade: true,
  seat_change: true,
  pause: false,
  email_change: true,
  // Self-service cancellation is required by automatic-renewal laws; it cannot be turned off.
  cancel: true,
} as const;

/** Every section on: made once (resolvePortalSettings runs on every portal request). */
const defaultSections = Object.freeze(Object.fromEntries(sectionIds.map((id) => [id, true])) as Record<SectionId, boolean>);

export function defaultPortalSettings(): ResolvedPortalSettings {
  return {
    sections: { ...defaultSections },
    actions: { ...defaultActions },
  };
}

/** Settings with every action known to the server present (a stored object may lack newer ones). */
export type ResolvedPortalSettings = PortalSettings & { actions: Record<keyof typeof defaultActions, boolean> };

/** Stored settings over the defaults, so settings added later get their default value. */
export function resolvePortalSettings(stored: unknown): ResolvedPortalSettings {
  const s = (stored ?? {}) as Partial<PortalSettings>;
  return {
    sections: { ...defaultSections, ...(s.sections ?? {}) },
    actions: { ...defaultActions, ...(s.actions ?? {}), cancel: true } as ResolvedPortalSettings['actions'],
  };
}

/**
 * `resolvePortalSettings(stored).sections[section]`, without making the settings: asked by every
 * request to a portal section (http.ts, requireSection). A section the stored settings name
 * (as their own key) has their value; any other is on.
 */
export function sectionSetting(stored: unknown, section: SectionId): unknown {
  const sections: unknown = ((stored ?? {}) as Partial<PortalSettings>).sections;
  if (sections === null || sections === undefined) return true;
  return Object.prototype.propertyIsEnumerable.call(Object(sections), section) ? (sections as Record<string, unknown>)[section] : true;
}
