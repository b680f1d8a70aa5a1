/**
 * The one NodejsFunction wrapper every skube Lambda goes through. It holds
 * every default (runtime, architecture, memory, timeout, bundling, log
 * retention), so a stack names an entry point and, at most, a different
 * memory size, timeout or environment.
 */
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** The repository root: the esbuild project root, and what `entry` paths are relative to. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Where the protobuf schema lives in the repository. `core/api/protobuf/schema.ts`
 * reads these files at module load from `new URL('./proto/', import.meta.url)`;
 * in a bundle `import.meta.url` is the bundle itself, so they are copied next to
 * it as `proto/` (see `BUNDLED_PROTO_DIR`).
 */
export const PROTO_SOURCE_DIR = 'core/api/protobuf/proto';

/** The folder, beside the bundle's `index.mjs`, that holds the copied `.proto` files. */
export const BUNDLED_PROTO_DIR = 'proto';

/** The defaults every function gets unless its props say otherwise. */
export const FUNCTION_DEFAULTS = {
  runtime: Runtime.NODEJS_22_X,
  architecture: Architecture.ARM_64,
  memorySize: 512,
  timeout: Duration.seconds(30),
  logRetention: RetentionDays.ONE_MONTH,
} as const;

/**
 * Defines `require` inside the ESM bundle: CommonJS dependencies that esbuild
 * inlines still call `require('node:…')`, which an ES module does not have.
 */
const REQUIRE_SHIM =
  "import { createRequire as __skubeCreateRequire } from 'node:module'; const require = __skubeCreateRequire(import.meta.url);";

/** What varies between skube functions. */
export interface SkubeFunctionProps {
  /** The entry point, relative to the repository root (`functions/apiserver.ts`); it must export `handler`. */
  entry: string;
  description?: string;
  /** Added to the defaults (`NODE_OPTIONS=--enable-source-maps`). */
  environment?: Record<string, string>;
  /** MB; default `FUNCTION_DEFAULTS.memorySize`. */
  memorySize?: number;
  /** Default `FUNCTION_DEFAULTS.timeout`. */
  timeout?: Duration;
}

/**
 * A skube Lambda function: Node.js 22 on arm64, bundled locally by esbuild
 * (never Docker) as one ES module with source maps and the AWS SDK inside,
 * the `.proto` files copied beside it, and its own log group kept one month.
 * Synthesis throws when `entry` does not exist. Bundling is skipped (and fast)
 * when the app's `aws:cdk:bundling-stacks` context excludes the stack.
 */
export class SkubeFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: SkubeFunctionProps) {
    // A log group of our own (not the deprecated `logRetention` custom resource) so retention is a plain property.
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: FUNCTION_DEFAULTS.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      entry: REPO_ROOT + props.entry,
      handler: 'handler',
      description: props.description,
      runtime: FUNCTION_DEFAULTS.runtime,
      architecture: FUNCTION_DEFAULTS.architecture,
      memorySize: props.memorySize ?? FUNCTION_DEFAULTS.memorySize,
      timeout: props.timeout ?? FUNCTION_DEFAULTS.timeout,
      logGroup,
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        // ESM so `import.meta.url` survives bundling (schema.ts resolves the .proto files from it).
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: REQUIRE_SHIM,
        minify: true,
        keepNames: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        // The SDK version the code was tested with ships in the bundle, not the runtime's.
        bundleAwsSDK: true,
        externalModules: [],
        forceDockerBundling: false,
        logLevel: LogLevel.WARNING,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => [
            `mkdir -p "${outputDir}/${BUNDLED_PROTO_DIR}"`,
            `cp "${inputDir}/${PROTO_SOURCE_DIR}/"*.proto "${outputDir}/${BUNDLED_PROTO_DIR}/"`,
          ],
        },
      },
    });
  }
}
