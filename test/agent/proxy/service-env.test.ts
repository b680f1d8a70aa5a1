import type { Service } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import {
  envName,
  HOSTS_MARKER,
  rewriteHostsFile,
  serviceEnvironment,
  serviceHostEntries,
} from '../../../agent/proxy/service-env.ts';
import { makeService, type Overrides } from '../../fixtures/objects.ts';

const svc = (o: Overrides = {}) => makeService(o) as unknown as Service;

const redisMaster = svc({
  metadata: { name: 'redis-master', namespace: 'default' },
  spec: {
    clusterIP: '127.96.0.11',
    ports: [
      { name: 'redis', port: 6379, protocol: 'TCP' },
      { name: 'sentinel-udp', port: 26379, protocol: 'UDP' },
    ],
  },
});
const kubernetes = svc({
  metadata: { name: 'kubernetes', namespace: 'default' },
  spec: { clusterIP: '127.96.0.1', ports: [{ name: 'https', port: 443 }], selector: undefined },
});
const other = svc({ metadata: { name: 'db', namespace: 'team-a' }, spec: { clusterIP: '127.96.0.20' } });
const headless = svc({ metadata: { name: 'peers', namespace: 'default' }, spec: { clusterIP: 'None' } });
const external = svc({
  metadata: { name: 'ext', namespace: 'default' },
  spec: { type: 'ExternalName', externalName: 'example.org', ports: undefined },
});

describe('serviceEnvironment', () => {
  it("gives Kubernetes' variables for every Service of the namespace, named ports and Docker links included", () => {
    expect(serviceEnvironment([redisMaster], 'default')).toEqual({
      REDIS_MASTER_SERVICE_HOST: '127.96.0.11',
      REDIS_MASTER_SERVICE_PORT: '6379',
      REDIS_MASTER_SERVICE_PORT_REDIS: '6379',
      REDIS_MASTER_SERVICE_PORT_SENTINEL_UDP: '26379',
      REDIS_MASTER_PORT: 'tcp://127.96.0.11:6379',
      REDIS_MASTER_PORT_6379_TCP: 'tcp://127.96.0.11:6379',
      REDIS_MASTER_PORT_6379_TCP_PROTO: 'tcp',
      REDIS_MASTER_PORT_6379_TCP_PORT: '6379',
      REDIS_MASTER_PORT_6379_TCP_ADDR: '127.96.0.11',
      REDIS_MASTER_PORT_26379_UDP: 'udp://127.96.0.11:26379',
      REDIS_MASTER_PORT_26379_UDP_PROTO: 'udp',
      REDIS_MASTER_PORT_26379_UDP_PORT: '26379',
      REDIS_MASTER_PORT_26379_UDP_ADDR: '127.96.0.11',
    });
  });

  it('keeps an unnamed single port to SERVICE_HOST/SERVICE_PORT and the link variables', () => {
    const env = serviceEnvironment([svc({ spec: { clusterIP: '127.96.0.5' } })], 'default');
    expect(Object.keys(env).sort()).toEqual([
      'WEB_PORT',
      'WEB_PORT_80_TCP',
      'WEB_PORT_80_TCP_ADDR',
      'WEB_PORT_80_TCP_PORT',
      'WEB_PORT_80_TCP_PROTO',
      'WEB_SERVICE_HOST',
      'WEB_SERVICE_PORT',
    ]);
  });

  it.each([
    { case: 'another namespace', ns: 'team-a', links: true, want: ['DB', 'KUBERNETES'] },
    { case: 'the default namespace', ns: 'default', links: true, want: ['KUBERNETES', 'REDIS_MASTER'] },
    { case: 'enableServiceLinks false', ns: 'default', links: false, want: ['KUBERNETES'] },
    { case: 'enableServiceLinks false elsewhere', ns: 'team-a', links: false, want: ['KUBERNETES'] },
  ])('chooses the Services for $case', ({ ns, links, want }) => {
    const env = serviceEnvironment([redisMaster, kubernetes, other, headless, external], ns, links);
    const hosts = Object.keys(env)
      .filter((k) => k.endsWith('_SERVICE_HOST'))
      .map((k) => k.replace(/_SERVICE_HOST$/, ''))
      .sort();
    expect(hosts).toEqual(want);
  });

  it("lets a namespace's own kubernetes Service win over the default one", () => {
    const mine = svc({ metadata: { name: 'kubernetes', namespace: 'team-a' }, spec: { clusterIP: '127.96.0.99' } });
    expect(serviceEnvironment([kubernetes, mine], 'team-a').KUBERNETES_SERVICE_HOST).toBe('127.96.0.99');
    expect(serviceEnvironment([mine, kubernetes], 'team-a').KUBERNETES_SERVICE_HOST).toBe('127.96.0.99');
  });

  it('brackets IPv6 addresses in URLs', () => {
    const v6 = svc({ spec: { clusterIP: 'fd00::10' } });
    expect(serviceEnvironment([v6], 'default').WEB_PORT).toBe('tcp://[fd00::10]:80');
  });
});

describe('envName', () => {
  it.each([
    ['redis-master', 'REDIS_MASTER'],
    ['a-b-c', 'A_B_C'],
    ['web', 'WEB'],
  ])('turns %s into %s', (name, want) => {
    expect(envName(name)).toBe(want);
  });
});

describe('serviceHostEntries', () => {
  it('gives short names for the own namespace and qualified names for others, skipping headless ones', () => {
    expect(serviceHostEntries([redisMaster, other, headless, external], 'default')).toEqual([
      {
        ip: '127.96.0.11',
        hostname: [
          'redis-master',
          'redis-master.default',
          'redis-master.default.svc',
          'redis-master.default.svc.cluster.local',
        ],
      },
      { ip: '127.96.0.20', hostname: ['db.team-a', 'db.team-a.svc', 'db.team-a.svc.cluster.local'] },
    ]);
  });

  it('uses the given cluster domain', () => {
    expect(serviceHostEntries([other], 'team-a', 'example.internal')[0]?.hostname).toContain(
      'db.team-a.svc.example.internal',
    );
  });
});

describe('rewriteHostsFile', () => {
  const docker = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n172.17.0.2\tpod-a\n';
  it('replaces the Service lines and keeps every other line', () => {
    const first = rewriteHostsFile(docker, serviceHostEntries([redisMaster], 'default'));
    expect(first).toContain(`127.96.0.11\tredis-master redis-master.default`);
    const second = rewriteHostsFile(first, serviceHostEntries([other], 'default'));
    expect(second).toBe(`${docker}127.96.0.20\tdb.team-a db.team-a.svc db.team-a.svc.cluster.local\t${HOSTS_MARKER}\n`);
  });

  it('drops the unmarked entries the kubelet passed as extra hosts', () => {
    const created = `${docker}127.96.0.11\tredis-master redis-master.default.svc.cluster.local\n`;
    expect(rewriteHostsFile(created, [])).toBe(docker);
  });
});
