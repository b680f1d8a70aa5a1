/**
 * The wire format of work-queue messages and the arithmetic around them:
 * how a long delay is split into SQS-sized hops, how long a failed message
 * stays invisible, and how messages from ReceiveMessage and from a Lambda SQS
 * event are brought to one shape.
 */
import type { Message } from '@aws-sdk/client-sqs';

/** SQS's per-message delay ceiling (15 minutes). */
export const MAX_DELAY_SECONDS = 900;

/** SQS's visibility-timeout ceiling (12 hours). */
export const MAX_VISIBILITY_SECONDS = 43_200;

/** The message attribute carrying the delay still owed after this hop, in ms. */
export const REMAINING_ATTRIBUTE = 'skube-remaining-ms';

/** A work message body: the key, and the token of the pending mark it was sent under. */
export interface WorkBody {
  key: string;
  token: string;
}

/** A received work message, whichever way it arrived. */
export interface WorkMessage {
  messageId: string;
  receiptHandle: string;
  /** The raw body; see `decodeWorkBody`. */
  body: string;
  /** SQS's ApproximateReceiveCount: 1 on first delivery. */
  receiveCount: number;
  /** Delay still owed before the key is due (0 when due now). */
  remainingMs: number;
}

/** One record of a Lambda SQS event (the fields this code reads). */
export interface SqsEventRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: { ApproximateReceiveCount?: string; [name: string]: string | undefined };
  messageAttributes?: Record<string, { stringValue?: string; dataType: string } | undefined>;
}

/** What a batch handler returns; the shape of Lambda's SQSBatchResponse (`itemIdentifier` is the messageId). */
export interface BatchResult {
  batchItemFailures: { itemIdentifier: string }[];
}

/** Serializes a work body. */
export function encodeWorkBody(body: WorkBody): string {
  return JSON.stringify(body);
}

/** Parses a work body; undefined when the message is not one of ours. */
export function decodeWorkBody(raw: string): WorkBody | undefined {
  try {
    const v = JSON.parse(raw) as Partial<WorkBody>;
    if (typeof v?.key === 'string' && v.key !== '' && typeof v.token === 'string')
      return { key: v.key, token: v.token };
  } catch {
    // Falls through: not JSON.
  }
  return undefined;
}

/**
 * Splits a delay into the next SQS hop: `delaySeconds` (0–900, rounded up so
 * the key never fires early) and what remains after it. Delays beyond 15
 * minutes take several hops, each re-sent by the consumer when it arrives.
 */
export function nextHop(remainingMs: number): { delaySeconds: number; remainingMs: number } {
  const ms = Math.max(0, Math.ceil(remainingMs));
  const delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.ceil(ms / 1000));
  return { delaySeconds, remainingMs: Math.max(0, ms - delaySeconds * 1000) };
}

/** Backoff settings for failed messages. */
export interface BackoffOptions {
  /** Invisibility after the first failure, seconds. */
  baseSeconds: number;
  /** Ceiling, seconds (clamped to SQS's 12 h). */
  maxSeconds: number;
}

/** How long a message stays invisible after its `receiveCount`-th delivery failed: base·2^(n−1), capped. */
export function retryBackoffSeconds(receiveCount: number, opts: BackoffOptions): number {
  const n = Math.max(1, Math.floor(receiveCount));
  const cap = Math.min(opts.maxSeconds, MAX_VISIBILITY_SECONDS);
  return Math.max(0, Math.min(cap, Math.round(opts.baseSeconds * 2 ** Math.min(n - 1, 30))));
}

/** Normalizes a message from ReceiveMessage (asked with `ApproximateReceiveCount` and the remaining-delay attribute). */
export function fromSqsMessage(m: Message): WorkMessage {
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? '1') || 1,
    remainingMs: Number(m.MessageAttributes?.[REMAINING_ATTRIBUTE]?.StringValue ?? '0') || 0,
  };
}

/** Normalizes a record of a Lambda SQS event. */
export function fromLambdaRecord(r: SqsEventRecord): WorkMessage {
  return {
    messageId: r.messageId,
    receiptHandle: r.receiptHandle,
    body: r.body,
    receiveCount: Number(r.attributes.ApproximateReceiveCount ?? '1') || 1,
    remainingMs: Number(r.messageAttributes?.[REMAINING_ATTRIBUTE]?.stringValue ?? '0') || 0,
  };
}
