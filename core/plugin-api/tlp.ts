/**
 * TLP 2.0 marking definitions, as published by OASIS with the TLP 2.0 extension
 * (extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d, cti-stix-common-objects). TLP 1.0 "white"
 * maps to "clear", its TLP 2.0 successor.
 */
const TLP_2_MARKINGS: Readonly<Record<string, string>> = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  white: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
}

/** `tlp:amber`, `TLP:AMBER+STRICT`, `white`, … → the marking-definition id, or undefined if not a TLP level. */
export function tlpMarkingId(label: string): string | undefined {
  return TLP_2_MARKINGS[label.trim().toLowerCase().replace(/^tlp:\s*/, '')]
}
