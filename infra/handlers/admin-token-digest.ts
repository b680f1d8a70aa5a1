/**
 * The custom resource behind `AdminToken`: reads the generated admin token
 * from Secrets Manager at deploy time and answers CloudFormation with its
 * SHA-256 (hex), which the API server receives as `SKUBE_ADMIN_TOKEN_SHA256`.
 * The token itself never enters the template, the function's environment or
 * the response. It answers CloudFormation itself (PUT to the pre-signed
 * `ResponseURL`), always: a handler that dies without answering leaves the
 * stack waiting for an hour.
 */
import { createHash } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';

/** The custom resource's properties, as the `AdminToken` construct sets them. */
export interface DigestProperties {
  /** The secret holding the token (its whole SecretString is the token). */
  SecretArn: string;
  /** Changed to recompute after the secret's value was replaced. */
  Generation?: string;
}

/** The attributes the custom resource returns (`Fn::GetAtt`). */
export interface DigestData {
  Sha256: string;
}

/** What the handler is built from. */
export interface DigestDeps {
  /** The secret's current SecretString; throws when it cannot be read. */
  readSecret(secretArn: string): Promise<string>;
  /** Delivers the response to CloudFormation; throws when the PUT fails. */
  respond(responseUrl: string, response: CloudFormationCustomResourceResponse<DigestData>): Promise<void>;
}

/** The lower-case hex SHA-256 of a bearer token's UTF-8 bytes, as the API server's token authenticator compares it. */
export function tokenSha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The response to `event`. Create and Update read the secret and return its
 * digest; Delete succeeds without reading (the secret may be gone already).
 * Never throws: a failure becomes a FAILED response whose reason names the
 * error but carries nothing of the secret.
 */
export async function digestResponse(
  event: CloudFormationCustomResourceEvent,
  readSecret: DigestDeps['readSecret'],
): Promise<CloudFormationCustomResourceResponse<DigestData>> {
  const props = event.ResourceProperties as unknown as DigestProperties;
  const common = {
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    // The same physical ID across updates, so an update never triggers a delete of the "old" resource.
    PhysicalResourceId: event.RequestType === 'Create' ? `${event.LogicalResourceId}-digest` : event.PhysicalResourceId,
  };
  if (event.RequestType === 'Delete') return { ...common, Status: 'SUCCESS' };
  try {
    if (!props.SecretArn) throw new Error('property SecretArn is required');
    const token = await readSecret(props.SecretArn);
    if (token.length === 0) throw new Error('the admin token secret is empty');
    return { ...common, Status: 'SUCCESS', Data: { Sha256: tokenSha256(token) } };
  } catch (e) {
    const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { ...common, Status: 'FAILED', Reason: `admin token digest failed: ${why}`.slice(0, 1000) };
  }
}

/** Creates the custom resource handler over `deps`. Rejects only when the response cannot be delivered. */
export function createHandler(deps: DigestDeps) {
  return async (event: CloudFormationCustomResourceEvent): Promise<void> => {
    const response = await digestResponse(event, deps.readSecret);
    await deps.respond(event.ResponseURL, response);
  };
}

/** PUTs a custom resource response to CloudFormation's pre-signed S3 URL. Throws on a non-2xx answer. */
export async function putResponse(responseUrl: string, response: CloudFormationCustomResourceResponse): Promise<void> {
  // The URL is signed without a content type, so none may be sent.
  const res = await fetch(responseUrl, {
    method: 'PUT',
    body: JSON.stringify(response),
    headers: { 'content-type': '' },
  });
  if (!res.ok) throw new Error(`CloudFormation response PUT answered ${res.status}`);
}

let client: SecretsManagerClient | undefined;

/** The Lambda entry point. */
export const handler = createHandler({
  readSecret: async (secretArn) => {
    client ??= new SecretsManagerClient({});
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (out.SecretString === undefined) throw new Error('the admin token secret has no SecretString');
    return out.SecretString;
  },
  respond: putResponse,
});
