/**
 * ClusterIP and NodePort allocation through the API: addresses come from the
 * service CIDR (distinct, never the network or broadcast address), node ports
 * from 30000-32767, a requested value is honoured, a taken one is refused
 * with 422, and values are released when the Service is deleted or its create
 * fails.
 */
import { describe, expect, it } from 'vitest';
import { makeService } from '../../fixtures/objects.ts';
import { NODE_PORT_RANGE, useApiHarness } from '../../support/api-harness.ts';

const SERVICES = '/api/v1/namespaces/default/services';

const nodePortService = (name: string, ports: Record<string, unknown>[]) =>
  makeService({ metadata: { name }, spec: { type: 'NodePort', ports } });

describe('API handler service allocation', () => {
  describe('ClusterIP in a /29', () => {
    // 10.96.0.0/29: network .0, broadcast .7, six usable addresses.
    const api = useApiHarness({ serviceCidr: '10.96.0.0/29' });
    const usable = ['10.96.0.1', '10.96.0.2', '10.96.0.3', '10.96.0.4', '10.96.0.5', '10.96.0.6'];

    it('hands out distinct addresses of the range, never the network or broadcast address', async () => {
      const ips: string[] = [];
      for (let i = 0; i < usable.length; i++) {
        const svc = await api().ok('POST', SERVICES, { body: makeService({ metadata: { name: `s${i}` } }) });
        ips.push(svc.spec.clusterIP);
        expect(svc.spec.clusterIPs).toEqual([svc.spec.clusterIP]);
      }
      expect([...ips].sort()).toEqual(usable);
    });

    it('refuses a Service when the range is full and stores nothing', async () => {
      for (let i = 0; i < usable.length; i++)
        await api().ok('POST', SERVICES, { body: makeService({ metadata: { name: `s${i}` } }) });
      const before = await api().listState(SERVICES);
      const res = await api().call('POST', SERVICES, { body: makeService({ metadata: { name: 'one-too-many' } }) });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.json.kind).toBe('Status');
      expect(await api().listState(SERVICES)).toEqual(before);
    });

    it('gives a deleted Service address to the next Service', async () => {
      const ips = new Map<string, string>();
      for (let i = 0; i < usable.length; i++) {
        const svc = await api().ok('POST', SERVICES, { body: makeService({ metadata: { name: `s${i}` } }) });
        ips.set(`s${i}`, svc.spec.clusterIP);
      }
      await api().ok('DELETE', `${SERVICES}/s3`);
      const next = await api().ok('POST', SERVICES, { body: makeService({ metadata: { name: 'next' } }) });
      expect(next.spec.clusterIP).toBe(ips.get('s3'));
    });

    it.each([
      ['the network address', '10.96.0.0'],
      ['the broadcast address', '10.96.0.7'],
      ['an address outside the range', '10.97.0.1'],
    ])('refuses %s as a requested clusterIP with 422', async (_, ip) => {
      const res = await api().call('POST', SERVICES, { body: makeService({ spec: { clusterIP: ip } }) });
      expect(res.status).toBe(422);
      expect(res.json.details.causes).toEqual([
        {
          reason: 'FieldValueInvalid',
          field: 'spec.clusterIPs[0]',
          message: `Invalid value: "${ip}": provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/29`,
        },
      ]);
    });

    it('honours a requested clusterIP and refuses it to a second Service', async () => {
      const svc = await api().ok('POST', SERVICES, { body: makeService({ spec: { clusterIP: '10.96.0.4' } }) });
      expect(svc.spec.clusterIP).toBe('10.96.0.4');
      const res = await api().call('POST', SERVICES, {
        body: makeService({ metadata: { name: 'b' }, spec: { clusterIP: '10.96.0.4' } }),
      });
      expect(res.status).toBe(422);
      expect(res.json.message).toBe(
        'Service "b" is invalid: spec.clusterIPs[0]: Invalid value: "10.96.0.4": provided IP is already allocated',
      );
    });

    it('allocates no address to a headless Service', async () => {
      const svc = await api().ok('POST', SERVICES, { body: makeService({ spec: { clusterIP: 'None' } }) });
      expect(svc.spec.clusterIP).toBe('None');
      expect(svc.spec.clusterIPs).toEqual(['None']);
    });
  });

  describe('NodePort', () => {
    const api = useApiHarness();

    it('allocates a port in 30000-32767 for each port of a NodePort Service', async () => {
      const svc = await api().ok('POST', SERVICES, {
        body: nodePortService('web', [
          { name: 'http', port: 80 },
          { name: 'https', port: 443 },
        ]),
      });
      const ports = svc.spec.ports.map((p: { nodePort: number }) => p.nodePort);
      expect(new Set(ports).size).toBe(2);
      for (const p of ports) {
        expect(p).toBeGreaterThanOrEqual(NODE_PORT_RANGE.min);
        expect(p).toBeLessThanOrEqual(NODE_PORT_RANGE.max);
      }
    });

    it('honours a requested nodePort', async () => {
      const svc = await api().ok('POST', SERVICES, { body: nodePortService('web', [{ port: 80, nodePort: 30080 }]) });
      expect(svc.spec.ports[0].nodePort).toBe(30080);
    });

    it('refuses a nodePort another Service holds with 422 and stores nothing', async () => {
      await api().ok('POST', SERVICES, { body: nodePortService('first', [{ port: 80, nodePort: 30080 }]) });
      const before = await api().listState(SERVICES);
      const res = await api().call('POST', SERVICES, {
        body: nodePortService('second', [{ port: 80, nodePort: 30080 }]),
      });
      expect(res.status).toBe(422);
      expect(res.json).toMatchObject({
        reason: 'Invalid',
        message:
          'Service "second" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
        details: { name: 'second', kind: 'Service' },
      });
      expect(res.json.details.causes).toEqual([
        {
          reason: 'FieldValueInvalid',
          field: 'spec.ports[0].nodePort',
          message: 'Invalid value: 30080: provided port is already allocated',
        },
      ]);
      expect(await api().listState(SERVICES)).toEqual(before);
    });

    it('refuses a nodePort outside the range with 422', async () => {
      const res = await api().call('POST', SERVICES, { body: nodePortService('web', [{ port: 80, nodePort: 8080 }]) });
      expect(res.status).toBe(422);
      expect(res.json.details.causes[0]).toMatchObject({
        field: 'spec.ports[0].nodePort',
        reason: 'FieldValueInvalid',
      });
    });

    it('releases node ports on delete so the same port can be requested again', async () => {
      await api().ok('POST', SERVICES, { body: nodePortService('first', [{ port: 80, nodePort: 30080 }]) });
      await api().ok('DELETE', `${SERVICES}/first`);
      const again = await api().ok('POST', SERVICES, {
        body: nodePortService('second', [{ port: 80, nodePort: 30080 }]),
      });
      expect(again.spec.ports[0].nodePort).toBe(30080);
    });

    it('releases what a failed create had already claimed', async () => {
      await api().ok('POST', SERVICES, { body: nodePortService('holder', [{ port: 80, nodePort: 30080 }]) });
      // The first port and the address are claimed before the second port fails.
      const failed = await api().call('POST', SERVICES, {
        body: makeService({
          metadata: { name: 'failed' },
          spec: {
            type: 'NodePort',
            clusterIP: '10.96.0.50',
            ports: [
              { name: 'a', port: 81, nodePort: 30100 },
              { name: 'b', port: 82, nodePort: 30080 },
            ],
          },
        }),
      });
      expect(failed.status).toBe(422);
      const retry = await api().call('POST', SERVICES, {
        body: makeService({
          metadata: { name: 'retry' },
          spec: { type: 'NodePort', clusterIP: '10.96.0.50', ports: [{ port: 81, nodePort: 30100 }] },
        }),
      });
      expect(retry.status).toBe(201);
    });

    it('releases what a dry-run create claimed', async () => {
      const body = nodePortService('web', [{ port: 80, nodePort: 30090 }]);
      expect((await api().call('POST', SERVICES, { body, query: { dryRun: 'All' } })).status).toBe(201);
      expect((await api().call('POST', SERVICES, { body })).status).toBe(201);
    });

    it('removes node ports when a NodePort Service becomes ClusterIP', async () => {
      await api().ok('POST', SERVICES, { body: nodePortService('web', [{ port: 80, nodePort: 30080 }]) });
      const svc = await api().ok('PATCH', `${SERVICES}/web`, {
        body: { spec: { type: 'ClusterIP', externalTrafficPolicy: null } },
      });
      expect(svc.spec.type).toBe('ClusterIP');
      expect(svc.spec.ports[0].nodePort).toBeUndefined();
      const other = await api().call('POST', SERVICES, {
        body: nodePortService('other', [{ port: 80, nodePort: 30080 }]),
      });
      expect(other.status).toBe(201);
    });
  });
});
