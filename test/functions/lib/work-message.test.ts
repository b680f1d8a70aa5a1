import type { Message } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import {
  decodeWorkBody,
  encodeWorkBody,
  fromLambdaRecord,
  fromSqsMessage,
  MAX_DELAY_SECONDS,
  nextHop,
  REMAINING_ATTRIBUTE,
  retryBackoffSeconds,
} from '../../../functions/lib/work-message.ts';

describe('nextHop', () => {
  it.each<[number, number, number]>([
    [0, 0, 0],
    [-5, 0, 0],
    [1, 1, 0],
    [999, 1, 0],
    [1000, 1, 0],
    [1500, 2, 0],
    [900_000, 900, 0],
    [900_001, 900, 1],
    [2 * 3600_000, 900, 2 * 3600_000 - 900_000],
  ])('splits %i ms into a %i s hop and %i ms remaining', (ms, delaySeconds, remainingMs) => {
    expect(nextHop(ms)).toEqual({ delaySeconds, remainingMs });
  });

  it('never fires early and never exceeds the SQS ceiling, whatever the delay', () => {
    for (let ms = 0; ms < 5 * 900_000; ms += 123_457) {
      let left = ms;
      let waited = 0;
      for (let hops = 0; hops < 10 && (left > 0 || hops === 0); hops++) {
        const hop = nextHop(left);
        expect(hop.delaySeconds).toBeLessThanOrEqual(MAX_DELAY_SECONDS);
        waited += hop.delaySeconds * 1000;
        left = hop.remainingMs;
      }
      expect(left).toBe(0);
      expect(waited).toBeGreaterThanOrEqual(ms);
      expect(waited - ms).toBeLessThan(1000);
    }
  });
});

describe('retryBackoffSeconds', () => {
  const opts = { baseSeconds: 5, maxSeconds: 300 };
  it.each<[number, number]>([
    [0, 5],
    [1, 5],
    [2, 10],
    [3, 20],
    [6, 160],
    [7, 300],
    [1000, 300],
  ])('after delivery %i waits %i s', (count, seconds) => {
    expect(retryBackoffSeconds(count, opts)).toBe(seconds);
  });

  it('clamps the ceiling to the 12-hour visibility limit', () => {
    expect(retryBackoffSeconds(40, { baseSeconds: 60, maxSeconds: 100_000 })).toBe(43_200);
  });
});

describe('work bodies', () => {
  it('round-trips a key and token', () => {
    expect(decodeWorkBody(encodeWorkBody({ key: 'ns/name', token: 't1' }))).toEqual({ key: 'ns/name', token: 't1' });
  });

  it.each(['', 'not json', '{}', '{"key":""}', '{"key":"a"}', '[1]', 'null'])('rejects %j', (raw) => {
    expect(decodeWorkBody(raw)).toBeUndefined();
  });
});

describe('message normalization', () => {
  it('reads the receive count and remaining delay from a ReceiveMessage result', () => {
    const m: Message = {
      MessageId: 'id1',
      ReceiptHandle: 'rh1',
      Body: 'b',
      Attributes: { ApproximateReceiveCount: '3' },
      MessageAttributes: { [REMAINING_ATTRIBUTE]: { DataType: 'Number', StringValue: '1234' } },
    };
    expect(fromSqsMessage(m)).toEqual({
      messageId: 'id1',
      receiptHandle: 'rh1',
      body: 'b',
      receiveCount: 3,
      remainingMs: 1234,
    });
  });

  it('reads the same fields from a Lambda SQS event record', () => {
    const record = {
      messageId: 'id2',
      receiptHandle: 'rh2',
      body: 'b',
      attributes: { ApproximateReceiveCount: '2', SentTimestamp: '1' },
      messageAttributes: { [REMAINING_ATTRIBUTE]: { stringValue: '99', dataType: 'Number' } },
    };
    expect(fromLambdaRecord(record)).toEqual({
      messageId: 'id2',
      receiptHandle: 'rh2',
      body: 'b',
      receiveCount: 2,
      remainingMs: 99,
    });
  });

  it('defaults to a first delivery with nothing remaining', () => {
    expect(fromSqsMessage({ MessageId: 'x', ReceiptHandle: 'r', Body: 'b' })).toMatchObject({
      receiveCount: 1,
      remainingMs: 0,
    });
  });
});
