import { it } from 'vitest';
import { formatIssue } from '../../../src/config/index.js';
import { loadIssues, tempDir } from './support.js';
import { join } from 'node:path';

it('scratch', async () => {
  const dir = tempDir({
    'a.yaml': `version: 2
fieldz: []
fields:
  - name: Product Category
    type: string
    facett: true
  - nme: foo
    type: LONG
    facet: false
    ranking: true
  - name:
    type: STRING
sources:
  - name: Docs
    sourceType: WEB2
    sourceVisibility: SECURD
    securityProviders: [Nope]
    configuration:
      parameters:
        Password: { value: hunter2, sensitive: true }
        Token: { value: "\${env:NOPE_NOT_SET}", sensitive: true }
        Bad: { value: "x \${foo} y" }
      userIdentities:
        C: { username: a, password: lit }
groups:
  - displayName: G
    privileges:
      - { owner: PLATFORM, targetDomain: SOURCE, target: all }
      - { owner: PLATFORM, targetDomain: SOURCE, target: { source: a, group: b } }
      - { owner: PLATFORM, targetDomain: SOURCE, target: { group: b } }
      - { owner: PLATFORM, targetDomain: FIELD, target: { source: 5 } }
      - { owner: PLATFORM, targetDomain: FIELD, target: { source: Docs } }
schedules:
  - source: Docs
    refreshType: FULL_REFRESH
    frequency: { type: WEEKLY, hourMinute: { hour: 25, minute: 0 } }
  - source: Docs
    refreshType: FULL_REFRESH
    enabled: yes
    frequency: { type: DAILY }
settings:
  protect: [field/x, fields/y]
  ignore:
    fields: ['(']
apiKeys:
  - name: "bad name"
    displayName: \${env:HOME}
    privileges: []
    lifetimeDuration: 1 year
`,
    'b.yaml': 'version: 1\nfields:\n  - name: productcategory\n    type: STRING\n  - name: productcategory\n    type: LONG\nkey: 1\nkey: 2\n',
    'c.yaml': 'a: &a [1,2]\nb: [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n',
    'd.yaml': 'version: 1\n---\nversion: 1\n',
    'e.yaml': Buffer.from([0x76, 0x65, 0x72, 0x3a, 0x20, 0xff, 0x0a]),
    'f.yaml': '# only a comment\n',
    'g.yaml': 'version: 1\nfields:\n  - name: [unclosed\n',
  });
  const issues = await loadIssues([dir], { cwd: dir, env: { HOME: '/root' } });
  console.log(issues.map((i) => formatIssue(i, dir)).join('\n'));
});
