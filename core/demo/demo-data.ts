import type { Visibility } from '../model/vocabularies.js'
import {
  buildIndicator,
  buildObservable,
  deterministicId,
  TLP_MARKING_IDS,
  type ObservableKind,
  type StixObject,
  type Tlp,
} from '../plugin-api/index.js'

/** The demo's organizations; users log in as `<role>@<domain>` with the organization's password. */
export const DEMO_ORGS = [
  {
    key: 'northwind',
    name: 'Demo: Northwind Power',
    domain: 'northwind.example',
    password: 'Northwind-Demo-2024!',
    description: 'Electric utility; publishes ICS threat intelligence',
    sectors: ['energy', 'utilities'],
  },
  {
    key: 'contoso',
    name: 'Demo: Contoso Water',
    domain: 'contoso.example',
    password: 'Contoso-Demo-2024!',
    description: 'Water utility; a partner of Northwind',
    sectors: ['utilities', 'infrastructure-water'],
  },
  {
    key: 'gridcert',
    name: 'Demo: Grid CERT',
    domain: 'gridcert.example',
    password: 'GridCert-Demo-2024!',
    description: 'Sector CERT; receives everything its members share',
    sectors: ['energy', 'utilities', 'government-national'],
  },
] as const

export type DemoOrgKey = (typeof DEMO_ORGS)[number]['key']

export const DEMO_ROLES = ['publisher', 'viewer'] as const

/** Who trusts whom, at which of the default trust levels (migrations/0001). */
export const DEMO_TRUST: { trustor: DemoOrgKey; trustee: DemoOrgKey; level: string }[] = [
  { trustor: 'northwind', trustee: 'contoso', level: 'Medium trust' },
  { trustor: 'northwind', trustee: 'gridcert', level: 'Full trust' },
  { trustor: 'contoso', trustee: 'northwind', level: 'High trust' },
  { trustor: 'contoso', trustee: 'gridcert', level: 'Full trust' },
  { trustor: 'gridcert', trustee: 'northwind', level: 'High trust' },
  { trustor: 'gridcert', trustee: 'contoso', level: 'High trust' },
]

export interface DemoCollection {
  owner: DemoOrgKey
  alias: string
  title: string
  description: string
  visibility: Visibility
  objects: 'ics-attack' | 'indicators'
}

export const DEMO_COLLECTIONS: DemoCollection[] = [
  {
    owner: 'northwind',
    alias: 'demo-ics-attack',
    title: 'MITRE ATT&CK for ICS',
    description:
      'A subset of MITRE ATT&CK for ICS 18.1 (techniques, groups, their relationships). © The MITRE Corporation; see data/demo/MITRE-LICENSE.txt',
    visibility: 'public',
    objects: 'ics-attack',
  },
  {
    owner: 'northwind',
    alias: 'demo-northwind-indicators',
    title: 'Northwind indicators',
    description: 'Indicators seen against Northwind substations',
    visibility: 'trusted',
    objects: 'indicators',
  },
]

const CREATED = '2024-05-01T08:00:00.000Z'

const INDICATORS: { kind: ObservableKind; value: string; name: string; tlp: Tlp }[] = [
  {
    kind: 'ipv4-addr',
    value: '198.51.100.23',
    name: 'C2 server contacted by an engineering workstation',
    tlp: 'green',
  },
  {
    kind: 'ipv4-addr',
    value: '203.0.113.77',
    name: 'Scanner probing Modbus/TCP (502) on substation gateways',
    tlp: 'green',
  },
  { kind: 'ipv4-addr', value: '192.0.2.0/24', name: 'Hosting range used for VPN brute force', tlp: 'amber' },
  { kind: 'domain-name', value: 'update-scada.example.net', name: 'Fake vendor update site', tlp: 'green' },
  { kind: 'url', value: 'http://update-scada.example.net/hmi/patch.exe', name: 'HMI "patch" download', tlp: 'amber' },
  {
    kind: 'email-addr',
    value: 'ops-support@grid-vendor.example.org',
    name: 'Phishing sender posing as a vendor',
    tlp: 'clear',
  },
  {
    kind: 'sha256',
    value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    name: 'Dropper seen on an engineering workstation',
    tlp: 'amber',
  },
]

/** The demo indicators: fixed ids and timestamps, so loading them again stores nothing new. */
export function demoIndicators(): StixObject[] {
  return INDICATORS.map((i) =>
    buildIndicator({
      id: deterministicId('indicator', 'crisp-demo', i.kind, i.value),
      created: CREATED,
      validFrom: CREATED,
      name: i.name,
      pattern: buildObservable(i.kind, i.value).pattern,
      indicatorTypes: ['malicious-activity'],
      labels: ['demo'],
      markingRefs: [TLP_MARKING_IDS[i.tlp]],
    }),
  )
}
