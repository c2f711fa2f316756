import { describe, expect, it } from 'vitest';
import { waveOf } from '../../../src/core/plan-changes.js';
import { BUILT_IN_PROVIDERS, securityProvidersSpec } from '../../../src/kinds/security-providers/spec.js';
import { actionsOf, dto, planFor, secret, stepOf, written } from '../../support/builders.js';

const BIND = 'ldap-bind-pw';

describe('security providers: create', () => {
  it('creates in the first wave; a provider that cascades to a new one waits for it', () => {
    const out = planFor({ securityProviders: [written.provider('Intranet Email'), written.provider('Directory', { type: 'ACTIVE_DIRECTORY2', cascadingSecurityProviders: ['Intranet Email'] })] }, { securityProviders: [dto.emailProvider()] });
    expect(actionsOf(out)).toEqual(['securityProviders/Directory create', 'securityProviders/Intranet Email create']);
    expect(stepOf(out, 'securityProviders/Directory')).toMatchObject({ wave: waveOf('securityProviders', 'create'), dependsOn: ['securityProviders/Intranet Email'] });
    expect(waveOf('securityProviders', 'create')).toBe(0);
    expect(stepOf(out, 'securityProviders/Intranet Email')?.action === 'create' && stepOf(out, 'securityProviders/Intranet Email')).toMatchObject({
      after: { type: 'EMAIL', caseSensitive: false, nodeRequired: false },
    });
  });

  it('a sensitive parameter is a Secret in the step, never its value', () => {
    const out = planFor({ securityProviders: [written.provider('Directory', { parameters: { BindPassword: { value: secret('LDAP', BIND), sensitive: true } } })] }, { securityProviders: [] });
    expect(JSON.stringify(out.plan)).not.toContain(BIND);
    expect(JSON.stringify(out.plan)).toContain('env:LDAP');
  });
});

describe('security providers: no-op after Coveo normalisation', () => {
  it.each([
    ['server fields (name, organizationId, instanceId, statistics, status, referencedBy)', written.provider('Intranet Email', { displayName: 'Intranet Email' }), dto.provider('Intranet Email')],
    ['display name left out', written.provider('Intranet Email'), dto.provider('Intranet Email', { displayName: 'Whatever Coveo shows' })],
    [
      'cascading providers as a map with names and types',
      written.provider('Directory', { type: 'ACTIVE_DIRECTORY2', cascadingSecurityProviders: ['Email Security Provider', 'Intranet Email'] }),
      dto.provider('Directory', {
        type: 'ACTIVE_DIRECTORY2',
        cascadingSecurityProviders: {
          'Intranet Email': { id: 'Intranet Email', name: 'Intranet Email', type: 'EMAIL', typeName: 'Email' },
          'Email Security Provider': { id: 'Email Security Provider', name: 'Email Security Provider' },
        },
      }),
    ],
    [
      'a masked sensitive parameter and parameters Coveo adds',
      written.provider('Directory', { parameters: { Server: { value: 'ldap.example.com' }, BindPassword: { value: secret('LDAP', BIND), sensitive: true } } }),
      dto.provider('Directory', { parameters: { Server: { sensitive: false, value: 'ldap.example.com' }, BindPassword: { sensitive: true }, Extra: { value: 'x' } } }),
    ],
  ])('%s', (_name, w, d) => {
    const others = d['id'] === 'Intranet Email' ? [] : [dto.provider('Intranet Email')];
    const out = planFor({ securityProviders: [w] }, { securityProviders: [dto.emailProvider(), ...others, d] });
    expect(out.issues).toEqual([]);
    expect(out.plan.steps).toEqual([]);
  });
});

describe('security providers: update', () => {
  it.each([
    ['display name', { displayName: 'Intranet e-mail' }, [{ path: 'displayName', from: 'Intranet Email', to: 'Intranet e-mail' }], [{ op: 'replace', path: '/displayName', value: 'Intranet e-mail' }]],
    ['case sensitivity', { caseSensitive: true }, [{ path: 'caseSensitive', from: false, to: true }], [{ op: 'replace', path: '/caseSensitive', value: true }]],
    ['type (an upsert, not a replace)', { type: 'CLAIMS' }, [{ path: 'type', from: 'EMAIL', to: 'CLAIMS' }], [{ op: 'replace', path: '/type', value: 'CLAIMS' }]],
    ['a plain parameter', { parameters: { Server: { value: 'new' } } }, [{ path: 'parameters.Server.value', from: 'old', to: 'new' }], [{ op: 'replace', path: '/parameters/Server/value', value: 'new' }]],
  ])('%s', (_name, extra, changes, patch) => {
    const out = planFor({ securityProviders: [written.provider('Intranet Email', extra)] }, { securityProviders: [dto.provider('Intranet Email', { parameters: { Server: { sensitive: false, value: 'old' } } })] });
    const step = stepOf(out, 'securityProviders/Intranet Email');
    expect(step).toMatchObject({ action: 'update', risk: 'safe', remoteId: 'Intranet Email' });
    expect(step?.action === 'update' && step.changes).toEqual(changes);
    expect(step?.action === 'update' && step.patch).toEqual(patch);
  });
});

describe('security providers: delete and built-ins', () => {
  it('never deletes the Email Security Provider; deletes other undeclared ones last', () => {
    expect(BUILT_IN_PROVIDERS).toContain('Email Security Provider');
    const out = planFor(
      { securityProviders: ['A', 'B', 'C', 'D'].map((id) => written.provider(id)) },
      { securityProviders: [dto.emailProvider(), ...['A', 'B', 'C', 'D', 'Old'].map((id) => dto.provider(id))] },
      { prune: true },
    );
    expect(actionsOf(out)).toEqual(['securityProviders/Old delete']);
    expect(stepOf(out, 'securityProviders/Old')?.wave).toBe(waveOf('securityProviders', 'delete'));
    expect(waveOf('securityProviders', 'delete')).toBe(Math.max(...(['securityProviders', 'fields', 'sources', 'schedules', 'groups', 'apiKeys'] as const).map((k) => waveOf(k, 'delete'))));
  });

  it('the live Email Security Provider is built in', () => {
    expect(securityProvidersSpec.normalizeLive(dto.emailProvider(), { keyOf: () => undefined })).toMatchObject({ isBuiltIn: true });
    expect(securityProvidersSpec.normalizeLive(dto.provider('Mine'), { keyOf: () => undefined })).toMatchObject({ isBuiltIn: false });
  });
});
