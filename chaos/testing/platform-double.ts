import type { Capabilities, Capability, Support } from '../../core/platform/capabilities.js';
import { capabilityNames, supported } from '../../core/platform/capabilities.js';
import type { Platform } from '../../core/platform/platform.js';

/** A platform as the plan-time checks see it: its name and capabilities, everything supported unless told. */
export function platformDouble(
  name: Platform['name'],
  overrides: Partial<Record<Capability, Support>> = {},
): Pick<Platform, 'name' | 'capabilities'> {
  const capabilities = Object.fromEntries(
    capabilityNames.map((c) => [c, overrides[c] ?? supported]),
  ) as Record<Capability, Support>;
  return { name, capabilities: capabilities satisfies Capabilities };
}
