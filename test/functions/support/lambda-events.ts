/**
 * Lambda events and contexts shaped as AWS delivers them (REST API proxy v1,
 * SQS, EventBridge schedule, DynamoDB Streams), for invoking the function
 * handlers directly in tests.
 */
import { randomUUID } from 'node:crypto';
import type { Message } from '@aws-sdk/client-sqs';
import type {
  APIGatewayProxyEvent,
  AttributeValue,
  Context,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  ScheduledEvent,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';

const ACCOUNT = '123456789012';
const API_ID = 'a1b2c3d4e5';
const HOST = `${API_ID}.execute-api.us-east-1.amazonaws.com`;

/** A Lambda context whose remaining time is `remainingMs` (fixed). */
export function lambdaContext(functionName: string, remainingMs = 30_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2025/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** What a test says about an API request. */
export interface ApiEventInput {
  method: string;
  /** Path with an optional query string (`/api/v1/pods?watch=true`); repeated parameters stay repeated. */
  url: string;
  /** Header name → value; an array is a header sent several times. Names keep the case given. */
  headers?: Record<string, string | string[]>;
  /** A string goes as it is; bytes go base64 with `isBase64Encoded` (as binaryMediaTypes make API Gateway do). */
  body?: string | Uint8Array;
}

/** A REST API (v1) Lambda proxy event for a `{proxy+}` resource on stage `prod`, as API Gateway sends it. */
export function apiGatewayEvent(input: ApiEventInput): APIGatewayProxyEvent {
  const url = new URL(input.url, `https://${HOST}`);
  const given: Record<string, string[]> = {
    Host: [HOST],
    'User-Agent': ['kubectl/v1.32.3 (linux/amd64) kubernetes/32cc146'],
    'X-Amzn-Trace-Id': [`Root=1-67890abc-${randomUUID().replace(/-/g, '').slice(0, 24)}`],
    'X-Forwarded-For': ['203.0.113.7'],
    'X-Forwarded-Port': ['443'],
    'X-Forwarded-Proto': ['https'],
  };
  for (const [name, value] of Object.entries(input.headers ?? {})) given[name] = Array.isArray(value) ? value : [value];
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(given)) headers[name] = values[values.length - 1];
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) (multiQuery[name] ??= []).push(value);
  const query = Object.fromEntries(Object.entries(multiQuery).map(([k, v]) => [k, v[v.length - 1]]));
  const hasQuery = Object.keys(multiQuery).length > 0;
  const binary = input.body instanceof Uint8Array;
  const now = Date.now();
  return {
    resource: '/{proxy+}',
    path: url.pathname,
    httpMethod: input.method,
    headers,
    multiValueHeaders: given,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: { proxy: url.pathname.slice(1) },
    stageVariables: null,
    requestContext: {
      resourceId: 'x1y2z3',
      resourcePath: '/{proxy+}',
      httpMethod: input.method,
      extendedRequestId: 'AbCdEfGhIjKlMnO=',
      requestTime: new Date(now).toUTCString(),
      path: `/prod${url.pathname}`,
      accountId: ACCOUNT,
      protocol: 'HTTP/1.1',
      stage: 'prod',
      domainPrefix: API_ID,
      requestTimeEpoch: now,
      requestId: randomUUID(),
      identity: {
        cognitoIdentityPoolId: null,
        accountId: null,
        cognitoIdentityId: null,
        caller: null,
        sourceIp: '203.0.113.7',
        principalOrgId: null,
        accessKey: null,
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        userArn: null,
        userAgent: headers['User-Agent'],
        user: null,
        apiKey: null,
        apiKeyId: null,
        clientCert: null,
      },
      domainName: HOST,
      apiId: API_ID,
      authorizer: undefined,
    },
    body:
      input.body === undefined ? null : binary ? Buffer.from(input.body).toString('base64') : (input.body as string),
    isBase64Encoded: binary,
  };
}

/** An SQS event as the event source mapping delivers `messages` received from the queue `queueName`. */
export function sqsEvent(messages: readonly Message[], queueName = 'skube-work'): SQSEvent {
  return { Records: messages.map((m) => sqsRecord(m, queueName)) };
}

/** One SQS event record for a received message (or a made-up one from `messageId` and `body`). */
export function sqsRecord(m: Message, queueName = 'skube-work'): SQSRecord {
  const now = String(Date.now());
  const messageAttributes: SQSRecord['messageAttributes'] = {};
  for (const [name, a] of Object.entries(m.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: a.DataType ?? 'String',
      stringValue: a.StringValue,
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return {
    messageId: m.MessageId ?? randomUUID(),
    receiptHandle: m.ReceiptHandle ?? `AQEB${randomUUID()}`,
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: m.Attributes?.SentTimestamp ?? now,
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? now,
    },
    messageAttributes,
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:${ACCOUNT}:${queueName}`,
    awsRegion: 'us-east-1',
  };
}

/** The event an EventBridge schedule rule sends. */
export function scheduledEvent(rule = 'skube-resync'): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: ACCOUNT,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'us-east-1',
    resources: [`arn:aws:events:us-east-1:${ACCOUNT}:rule/${rule}`],
    detail: {},
  };
}

/** An item image in DynamoDB JSON. */
export type Image = Record<string, AttributeValue>;

let sequence = 13021600000000001596893679n;

/** A DynamoDB stream record (NEW_AND_OLD_IMAGES) of a change to an item with `keys` and images. */
export function streamRecord(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  images: { keys: Image; newImage?: Image; oldImage?: Image },
  table = 'skube-log',
): DynamoDBRecord {
  sequence += 100n;
  return {
    eventID: randomUUID().replace(/-/g, ''),
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: images.keys,
      ...(images.newImage ? { NewImage: images.newImage } : {}),
      ...(images.oldImage ? { OldImage: images.oldImage } : {}),
      SequenceNumber: String(sequence),
      SizeBytes: 256,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${table}/stream/2025-01-01T00:00:00.000`,
  };
}

/** A DynamoDB stream event of `records`. */
export function streamEvent(records: DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: records };
}
