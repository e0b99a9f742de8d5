import { describe, expect, it } from 'vitest';
import { credentialsOf, overlayHasSecret } from './operator-secret.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('the operator Secret', () => {
  it('gives the API key and admin token it holds', () => {
    const secret = JSON.stringify({ data: { 'api-key': b64('gk-1'), 'admin-token': b64('adm-1') } });
    expect(credentialsOf(secret, 'team')).toEqual({ apiKey: 'gk-1', adminToken: 'adm-1' });
  });

  it('is refused when missing or incomplete, with the command that creates it', () => {
    expect(() => credentialsOf('', 'team')).toThrow(
      'there is none; create it: kubectl create secret generic gauntlet-secrets -n team --from-literal=admin-token=',
    );
    expect(() => credentialsOf(JSON.stringify({ data: { 'api-key': b64('k') } }), 'team')).toThrow(
      'Secret gauntlet-secrets in namespace team has no admin-token',
    );
  });

  it('is needed only when the overlay brings no gauntlet-secrets of its own', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'gauntlet-secrets-9fk2' } };
    const other = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gauntlet-secrets' } };
    expect(overlayHasSecret([secret, other])).toBe(true);
    expect(overlayHasSecret([other])).toBe(false);
  });
});
