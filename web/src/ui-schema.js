// Layout of the form: the order of an Intune email profile blade (basics, account, sync,
// S/MIME, mail, then certificates and platform-only settings). Only presentation lives here;
// what is valid and what is shown under which condition comes from the schema itself.

/** `ui:order` lists, also used to order the keys of a downloaded profile. */
export const uiSchema = {
  'ui:globalOptions': { enableMarkdownInDescription: true },
  'ui:submitButtonOptions': { norender: true },
  'ui:order': [
    'displayName',
    'identifier',
    'organization',
    'description',
    'account',
    'sync',
    'smime',
    'mail',
    'certificates',
    'platforms',
    '*',
  ],
  $schema: { 'ui:widget': 'hidden' },
  description: { 'ui:widget': 'textarea', 'ui:options': { rows: 2 } },
  account: {
    'ui:order': ['server', 'accountName', 'username', 'emailAddressSource', 'authentication', 'ssl', 'oauth', '*'],
    username: {
      'ui:order': ['source', 'domain', '*'],
      domain: { 'ui:order': ['source', 'attribute', 'name', '*'] },
    },
    authentication: { 'ui:order': ['method', 'identityCertificate', 'password', '*'] },
    oauth: { 'ui:order': ['enabled', 'signInUrl', 'tokenRequestUrl', '*'] },
  },
  sync: {
    'ui:order': ['services', 'userCanChange', 'emailSyncDuration', '*'],
    services: { 'ui:widget': 'checkboxes', 'ui:options': { inline: true } },
  },
  smime: {
    'ui:order': ['enabled', 'signing', 'encryption', '*'],
    signing: {
      'ui:order': ['enabled', 'userCanChange', 'certificateType', 'certificate', 'certificateUserCanChange', '*'],
    },
    encryption: {
      'ui:order': [
        'encryptByDefault',
        'encryptByDefaultUserCanChange',
        'perMessageSwitch',
        'certificateType',
        'certificate',
        'certificateUserCanChange',
        '*',
      ],
    },
  },
  mail: { 'ui:order': ['allowMove', 'allowThirdPartySend', 'syncRecentAddresses', '*'] },
  certificates: {
    additionalProperties: {
      'ui:order': ['kind', 'displayName', 'graphId', 'pkcs12', 'scep', 'ca', 'external', '*'],
      scep: {
        'ui:order': ['url', 'name', 'subject', 'subjectAltNameEmail', 'keySize', 'keyUsage', 'caFingerprint', 'challenge', '*'],
      },
    },
  },
  platforms: {
    'ui:order': ['ios', 'windows', 'android', '*'],
    ios: { 'ui:order': ['minimumOsVersion', 'perAccountVpnUuid', 'allowMailDrop', '*'] },
  },
};
