/**
 * SQS client configuration. The endpoint is passed to the SDK explicitly
 * (moto, LocalStack, or AWS when omitted) instead of relying on the
 * `AWS_ENDPOINT_URL*` variables, which at least one SDK release ignored
 * (aws-sdk-js-v3#7203). Parsed once at start-up; a bad value fails fast.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';

/** The schema of SQS client configuration. */
export const sqsConfigSchema = z.object({
  /** Service endpoint; omit for the real AWS endpoint of `region`. */
  endpoint: z.url().optional(),
  region: z.string().min(1),
  /** Static credentials (emulators); omit to use the SDK's default provider chain (Lambda role). */
  credentials: z
    .object({
      accessKeyId: z.string().min(1),
      secretAccessKey: z.string().min(1),
      sessionToken: z.string().optional(),
    })
    .optional(),
  /** SDK attempts per call (the SDK retries throttling and 5xx itself). */
  maxAttempts: z.number().int().positive().optional(),
});

/** SQS client configuration: endpoint, region, credentials. */
export type SqsConfig = z.infer<typeof sqsConfigSchema>;

/** Validates `input` as SqsConfig. Throws a ZodError naming the bad fields. */
export function parseSqsConfig(input: unknown): SqsConfig {
  return sqsConfigSchema.parse(input);
}

/** Builds an SQS client for `config`; the caller owns it (call `destroy()` when done). */
export function createSqsClient(config: SqsConfig): SQSClient {
  return new SQSClient({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
    ...(config.maxAttempts ? { maxAttempts: config.maxAttempts } : {}),
  });
}
