import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUNDLED_PROTO_DIR,
  PROTO_SOURCE_DIR,
  REPO_ROOT,
  SkubeFunction,
} from '../../../infra/constructs/skube-function.ts';

const run = promisify(execFile);

function stackWith(add: (stack: Stack) => void, context: Record<string, unknown> = {}, outdir?: string) {
  // The stack tests run CDK's template validation; here it would only cost time.
  const app = new App({ outdir, context, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'FunctionTest');
  add(stack);
  return { app, stack };
}

describe('SkubeFunction', () => {
  it('applies the defaults and lets props vary memory, timeout and environment', () => {
    const { stack } = stackWith(
      (s) => {
        new SkubeFunction(s, 'Default', { entry: 'functions/resync.ts' });
        new SkubeFunction(s, 'Tuned', {
          entry: 'functions/resync.ts',
          memorySize: 1024,
          environment: { SKUBE_TABLE_PREFIX: 'x' },
        });
      },
      { 'aws:cdk:bundling-stacks': [] },
    );
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 30,
      Handler: 'index.handler',
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps', SKUBE_TABLE_PREFIX: 'x' } },
    });
    template.resourceCountIs('AWS::Logs::LogGroup', 2);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('refuses an entry point that does not exist', () => {
    expect(() =>
      stackWith((s) => new SkubeFunction(s, 'Missing', { entry: 'functions/no-such-function.ts' }), {
        'aws:cdk:bundling-stacks': [],
      }),
    ).toThrow(/no-such-function/);
  });

  describe('bundling with local esbuild', () => {
    let outdir: string;
    let bundleDir: string;

    beforeAll(() => {
      outdir = mkdtempSync(join(tmpdir(), 'skube-function-test-'));
      const { app } = stackWith((s) => new SkubeFunction(s, 'Api', { entry: 'functions/apiserver.ts' }), {}, outdir);
      app.synth();
      const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
      expect(assets).toHaveLength(1);
      bundleDir = join(outdir, assets[0]);
    }, 120_000);

    afterAll(() => {
      if (outdir) rmSync(outdir, { recursive: true, force: true });
    });

    it('writes one ES module with its source map', () => {
      expect(existsSync(join(bundleDir, 'index.mjs'))).toBe(true);
      expect(existsSync(join(bundleDir, 'index.mjs.map'))).toBe(true);
    });

    it('copies every .proto file beside the bundle', () => {
      const source = readdirSync(join(REPO_ROOT, PROTO_SOURCE_DIR)).filter((f) => f.endsWith('.proto'));
      expect(source.length).toBeGreaterThan(0);
      expect(readdirSync(join(bundleDir, BUNDLED_PROTO_DIR)).sort()).toEqual(source.sort());
    });

    it('loads in a plain Node process (the protobuf schema found) and fails a call on missing configuration', async () => {
      // A separate process, so the bundle runs as Lambda runs it, not through vitest's module loader.
      const script = `
        const m = await import(${JSON.stringify(pathToFileURL(join(bundleDir, 'index.mjs')).href)});
        const out = { handler: typeof m.handler };
        try { await m.handler({}, {}); } catch (e) { out.error = e.name; out.message = e.message; }
        console.log(JSON.stringify(out));`;
      const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env, cwd: bundleDir });
      const out = JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
      expect(out).toMatchObject({ handler: 'function', error: 'ConfigError' });
      expect(out.message).toMatch(/SKUBE_TABLE_PREFIX: required/);
    }, 30_000);
  });
});
