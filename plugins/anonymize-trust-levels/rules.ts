import type { ValueKind } from './values.js'

/**
 * What the strategy does with a property, decided by its name, at any depth. Every property name of the
 * OASIS STIX 2.1 schemas is listed here (rules.test.ts fails when a schema names one this table does not), so
 * a property can never slip through because nobody thought of it; a name the table does not know (custom or
 * extension-defined) gets the strictest treatment: scrubbed below high, dropped from high.
 *
 * - `keep`: ids, timestamps, hex and enumerations the schemas constrain; still scrubbed when the shape is off.
 * - `vocab`: short labels or intelligence in themselves (names, vocabularies): scrubbed, never dropped.
 * - `prose`: free text and producer-specific details: scrubbed; dropped at full.
 * - `person`: names of people: a keyed `person-…` pseudonym at every level.
 * - `drop`: never shared below none.
 * - `ref`: an identifier of another object: keyed when it points at an SCO or (from high) an identity.
 * - `{ kind }`: a value with its own rule (addresses, paths, accounts).
 * - the others have a handler of their own (hashes, references, kill chains, markings, extensions, labels).
 */
export type Rule =
  | 'keep'
  | 'vocab'
  | 'prose'
  | 'person'
  | 'drop'
  | 'ref'
  | 'hashes'
  | 'external-references'
  | 'kill-chain-phases'
  | 'granular-markings'
  | 'extensions'
  | 'labels'
  | { value: ValueKind }

const KEEP = [
  'type',
  'spec_version',
  'id',
  'created',
  'modified',
  'revoked',
  'confidence',
  'lang',
  'object_modified',
  'defanged',
  'account_created',
  'account_expires',
  'account_first_login',
  'account_last_login',
  'analysis_ended',
  'analysis_started',
  'atime',
  'created_time',
  'credential_last_changed',
  'ctime',
  'date',
  'end',
  'first_observed',
  'first_seen',
  'last_observed',
  'last_seen',
  'modified_time',
  'mtime',
  'published',
  'start',
  'start_time',
  'stop_time',
  'submitted',
  'valid_from',
  'valid_until',
  'validity_not_after',
  'validity_not_before',
  'private_key_usage_period_not_after',
  'private_key_usage_period_not_before',
  'time_date_stamp',
  'extension_type',
  'number',
  'number_observed',
  'count',
  'is_family',
  'is_active',
  'is_blocking',
  'is_disabled',
  'is_hidden',
  'is_listening',
  'is_multipart',
  'is_optimized',
  'is_privileged',
  'is_self_signed',
  'is_service_account',
  'can_escalate_privs',
  'aslr_enabled',
  'dep_enabled',
  'latitude',
  'longitude',
  'precision',
  'size',
  'entropy',
  'pid',
  'src_port',
  'dst_port',
  'src_byte_count',
  'dst_byte_count',
  'src_packets',
  'dst_packets',
  'message_body_length',
  'bits_per_pixel',
  'image_height',
  'image_width',
  'number_of_sections',
  'number_of_subkeys',
  'number_of_symbols',
  'number_of_rva_and_sizes',
  'socket_descriptor',
  'socket_handle',
  'priority',
  'summary',
  'subject_public_key_exponent',
  'address_of_entry_point',
  'base_of_code',
  'base_of_data',
  'file_alignment',
  'image_base',
  'loader_flags_hex',
  'magic_hex',
  'major_image_version',
  'major_linker_version',
  'major_os_version',
  'major_subsystem_version',
  'minor_image_version',
  'minor_linker_version',
  'minor_os_version',
  'minor_subsystem_version',
  'section_alignment',
  'size_of_code',
  'size_of_headers',
  'size_of_heap_commit',
  'size_of_heap_reserve',
  'size_of_image',
  'size_of_initialized_data',
  'size_of_optional_header',
  'size_of_stack_commit',
  'size_of_stack_reserve',
  'size_of_uninitialized_data',
  'win32_version_value_hex',
  'characteristics_hex',
  'checksum_hex',
  'dll_characteristics_hex',
  'machine_hex',
  'pointer_to_symbol_table_hex',
  'subsystem_hex',
  'magic_number_hex',
  'icmp_code_hex',
  'icmp_type_hex',
  'src_flags_hex',
  'dst_flags_hex',
  'gid',
  'pdfid0',
  'pdfid1',
  'tlp',
] as const

const VOCAB = [
  'name',
  'aliases',
  'roles',
  'sectors',
  'identity_class',
  'relationship_type',
  'pattern_type',
  'pattern_version',
  'context',
  'definition_type',
  'extension_types',
  'indicator_types',
  'infrastructure_types',
  'malware_types',
  'report_types',
  'threat_actor_types',
  'tool_types',
  'resource_level',
  'primary_motivation',
  'secondary_motivations',
  'personal_motivations',
  'sophistication',
  'architecture_execution_envs',
  'implementation_languages',
  'capabilities',
  'opinion',
  'result',
  'result_name',
  'product',
  'version',
  'tool_version',
  'analysis_engine_version',
  'analysis_definition_version',
  'configuration_version',
  'modules',
  'account_type',
  'mime_type',
  'encryption_algorithm',
  'name_enc',
  'path_enc',
  'content_type',
  'content_disposition',
  'protocols',
  'region',
  'country',
  'languages',
  'address_family',
  'socket_type',
  'start_type',
  'service_type',
  'service_status',
  'integrity_level',
  'pe_type',
  'subject_public_key_algorithm',
  'signature_algorithm',
  'request_method',
  'request_version',
  'data_type',
  'rir',
  'schema',
  'vendor',
  'cpe',
  'swid',
  'kill_chain_name',
  'phase_name',
  'source_name',
  'external_id',
  'imphash',
  'serial_number',
  'extension_properties',
  'marking_ref',
  'selectors',
  'sections',
  'optional_header',
  'alternate_data_streams',
  'x509_v3_extensions',
] as const

const PROSE = [
  'description',
  'abstract',
  'explanation',
  'objective',
  'goals',
  'content',
  'contents',
  'statement',
  'definition',
  'comment',
  'body',
  'body_multipart',
  'received_lines',
  'additional_header_fields',
  'message_id',
  'command_line',
  'environment_variables',
  'window_title',
  'startup_info',
  'key',
  'values',
  'data',
  'descriptions',
  'service_name',
  'display_name_of_service',
  'document_info_dict',
  'exif_tags',
  'request_value',
  'request_header',
  'options',
  'ipfix',
  'shell',
  'group_name',
  'groups',
  'sid',
  'owner_sid',
  'subject_key_identifier',
  'authority_key_identifier',
  'key_usage',
  'extended_key_usage',
  'basic_constraints',
  'inhibit_any_policy',
  'policy_constraints',
  'policy_mappings',
  'name_constraints',
  'certificate_policies',
  'crl_distribution_points',
  'subject_alternative_name',
  'issuer_alternative_name',
  'subject_directory_attributes',
  'subject_public_key_modulus',
  'objects',
  'street_address',
  'postal_code',
  'city',
  'administrative_area',
] as const

/** People, or a distinguished name that names one (`CN=Jane Doe, O=…`): never recognisable in the text. */
const PERSON = ['authors', 'display_name', 'subject', 'issuer'] as const
const DROP = ['contact_information', 'credential', 'decryption_key', 'payload_bin'] as const

const VALUES: Readonly<Record<string, ValueKind>> = {
  value: { kind: 'text' },
  url: { kind: 'url' },
  path: { kind: 'path' },
  cwd: { kind: 'path' },
  home_dir: { kind: 'path' },
  account_login: { kind: 'account', field: 'login' },
  user_id: { kind: 'account', field: 'user-id' },
}

const SPECIAL: Readonly<Record<string, Rule>> = {
  hashes: 'hashes',
  file_header_hashes: 'hashes',
  external_references: 'external-references',
  kill_chain_phases: 'kill-chain-phases',
  granular_markings: 'granular-markings',
  object_marking_refs: 'ref',
  extensions: 'extensions',
  labels: 'labels',
  pattern: 'vocab',
}

function table(): Map<string, Rule> {
  const rules = new Map<string, Rule>()
  for (const name of KEEP) rules.set(name, 'keep')
  for (const name of VOCAB) rules.set(name, 'vocab')
  for (const name of PROSE) rules.set(name, 'prose')
  for (const name of PERSON) rules.set(name, 'person')
  for (const name of DROP) rules.set(name, 'drop')
  for (const [name, kind] of Object.entries(VALUES)) rules.set(name, { value: kind })
  for (const [name, rule] of Object.entries(SPECIAL)) rules.set(name, rule)
  return rules
}

const RULES = table()

export const isRefKey = (key: string) => key.endsWith('_ref') || key.endsWith('_refs')

/** The rule of a property name; undefined for a name STIX does not define (custom or extension-defined). */
export function ruleOf(key: string): Rule | undefined {
  return RULES.get(key) ?? (isRefKey(key) ? 'ref' : undefined)
}

/** Names of a custom property (or one of its keys) that hold a person: `x_contact`, `x_analyst_email`… */
export const PERSON_KEY =
  /(?:^|_)(?:contacts?|e_?mails?|mail|authors?|owners?|analysts?|reporters?|reported_?by|submitted_?by|created_?by|assignees?|requesters?|poc|persons?|people|users?|user_?names?|phones?|names?|handles?)(?:_|$)/i

/** E-mail headers whose value names a person: `"Jane Doe" <jane@corp.example>`. */
export const ADDRESS_HEADER =
  /^(?:from|to|cc|bcc|reply-to|sender|return-path|delivered-to|x-original-to|x-sender|x-envelope-from|disposition-notification-to)$/i

/** The extensions STIX 2.1 predefines (§6); any other is custom (extension-definition or legacy `x-…-ext`). */
export const PREDEFINED_EXTENSIONS: ReadonlySet<string> = new Set([
  'archive-ext',
  'ntfs-ext',
  'pdf-ext',
  'raster-image-ext',
  'windows-pebinary-ext',
  'http-request-ext',
  'icmp-ext',
  'socket-ext',
  'tcp-ext',
  'unix-account-ext',
  'windows-process-ext',
  'windows-service-ext',
])
