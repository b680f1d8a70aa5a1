import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { staticTokenAuthenticator } from '../../../core/apiserver/auth.ts';
import { createHandler, digestResponse, putResponse, tokenSha256 } from '../../../infra/handlers/admin-token-digest.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AdminToken-abc';
const TOKEN = 'k7Q2mZp9xW4vR8sT1uY6nB3cD5eF0gH2jK4lM6oP8qRsTuVw';

function event(
  requestType: 'Create' | 'Update' | 'Delete',
  props: Record<string, string> = { SecretArn: SECRET_ARN },
): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:digest',
    ResponseURL: 'https://cloudformation-custom-resource-response.example/signed',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/skube-dev/1',
    RequestId: 'req-1',
    LogicalResourceId: 'AdminTokenDigest0ED8281A',
    ResourceType: 'Custom::SkubeAdminTokenDigest',
    ResourceProperties: { ServiceToken: 'x', ...props },
  };
  if (requestType === 'Create') return { ...base, RequestType: 'Create' };
  const PhysicalResourceId = 'AdminTokenDigest0ED8281A-digest';
  if (requestType === 'Update')
    return { ...base, RequestType: 'Update', PhysicalResourceId, OldResourceProperties: base.ResourceProperties };
  return { ...base, RequestType: 'Delete', PhysicalResourceId };
}

const readToken = async () => TOKEN;
const neverRead = async (): Promise<string> => {
  throw new Error('the secret must not be read');
};

describe('admin token digest', () => {
  it('hashes like the API server authenticator checks bearer tokens', async () => {
    expect(tokenSha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const user = { name: 'admin', groups: ['system:masters'] };
    const auth = staticTokenAuthenticator([{ tokenSha256: tokenSha256(TOKEN), user }]);
    const request = (token: string) => ({
      method: 'GET',
      path: '/api',
      query: new URLSearchParams(),
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await auth.authenticate(request(TOKEN))).toEqual(user);
    expect(await auth.authenticate(request(`${TOKEN}x`))).toBeUndefined();
  });

  it.each(['Create', 'Update'] as const)('answers %s with the digest and a stable physical ID', async (type) => {
    const res = await digestResponse(event(type), readToken);
    expect(res).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'AdminTokenDigest0ED8281A-digest',
      StackId: event(type).StackId,
      RequestId: 'req-1',
      LogicalResourceId: 'AdminTokenDigest0ED8281A',
      Data: { Sha256: tokenSha256(TOKEN) },
    });
  });

  it('answers Delete without reading the secret', async () => {
    const res = await digestResponse(event('Delete'), neverRead);
    expect(res).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'AdminTokenDigest0ED8281A-digest' });
    expect(res.Data).toBeUndefined();
  });

  it.each([
    ['the SecretArn property is missing', readToken, {}, /SecretArn is required/],
    ['the secret is unreadable', neverRead, undefined, /must not be read/],
    ['the secret is empty', async () => '', undefined, /secret is empty/],
  ])('fails, without the token in the reason, when %s', async (_why, read, props, reason) => {
    const res = await digestResponse(event('Create', props), read);
    expect(res.Status).toBe('FAILED');
    expect(res.Reason).toMatch(reason);
    expect(JSON.stringify(res)).not.toContain(TOKEN);
  });

  it('delivers its response to the event ResponseURL', async () => {
    const sent: [string, CloudFormationCustomResourceResponse][] = [];
    const handler = createHandler({ readSecret: readToken, respond: async (url, res) => void sent.push([url, res]) });
    await handler(event('Create'));
    expect(sent).toHaveLength(1);
    expect(sent[0][0]).toBe(event('Create').ResponseURL);
    expect(sent[0][1]).toMatchObject({ Status: 'SUCCESS', Data: { Sha256: tokenSha256(TOKEN) } });
  });

  describe('putResponse', () => {
    async function withServer(status: number, test: (url: string) => Promise<void>) {
      const received: { method?: string; headers?: IncomingHttpHeaders; body?: string }[] = [];
      const server = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          received.push({ method: req.method, headers: req.headers, body });
          res.statusCode = status;
          res.end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        await test(`http://127.0.0.1:${(server.address() as AddressInfo).port}/signed?X-Amz-Signature=x`);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
      return received;
    }

    it('PUTs the JSON response with no content type, as the pre-signed URL requires', async () => {
      const response = await digestResponse(event('Create'), readToken);
      const received = await withServer(200, (url) => putResponse(url, response));
      expect(received).toHaveLength(1);
      expect(received[0].method).toBe('PUT');
      expect(received[0].headers?.['content-type'] ?? '').toBe('');
      expect(JSON.parse(received[0].body ?? '')).toEqual(response);
    });

    it('throws when CloudFormation refuses the response', async () => {
      await withServer(403, async (url) => {
        await expect(putResponse(url, await digestResponse(event('Delete'), neverRead))).rejects.toThrow(/403/);
      });
    });
  });
});
