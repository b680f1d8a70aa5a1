/**
 * The pure half of pod → Service networking: the nat rules that go into a
 * pod's network namespace so that its traffic to a ClusterIP port reaches
 * this node's proxy. A pod has its own loopback, so a ClusterIP in
 * 127.0.0.0/8 would stay inside the pod; the rules DNAT it to the proxy's
 * per-Service-port listener on the Docker bridge gateway, with
 * `route_localnet` letting a 127/8-addressed packet leave through eth0 and
 * MASQUERADE giving it the pod's eth0 source address so replies come back.
 */
import type { PodRoute } from './proxier.ts';

/** The nat chain holding the DNAT rules (jumped to from OUTPUT). */
export const SERVICES_CHAIN = 'SKUBE-SERVICES';
/** The nat chain holding the MASQUERADE rule (jumped to from POSTROUTING). */
export const POSTROUTING_CHAIN = 'SKUBE-POSTROUTING';

/**
 * `iptables-restore --noflush` input that replaces the two chains' rules:
 * one DNAT per route, then MASQUERADE of loopback-sourced packets leaving
 * through `podInterface`. Declaring a chain in the input flushes it, so
 * applying it again is idempotent and only touches these chains. Pure.
 */
export function podNatRestore(routes: readonly PodRoute[], podInterface = 'eth0'): string {
  const lines = ['*nat', `:${SERVICES_CHAIN} - [0:0]`, `:${POSTROUTING_CHAIN} - [0:0]`];
  for (const r of routes) {
    const proto = r.protocol.toLowerCase();
    lines.push(
      `-A ${SERVICES_CHAIN} -d ${r.clusterIP}/32 -p ${proto} -m ${proto} --dport ${r.port} -j DNAT --to-destination ${r.gatewayIp}:${r.gatewayPort}`,
    );
  }
  lines.push(`-A ${POSTROUTING_CHAIN} -s 127.0.0.0/8 -o ${podInterface} -j MASQUERADE`, 'COMMIT', '');
  return lines.join('\n');
}

/** The jumps into the chains, as `iptables -t nat` argument lists (checked with -C, added with -A). */
export const podNatJumps: readonly { chain: string; rule: readonly string[] }[] = [
  { chain: 'OUTPUT', rule: ['-j', SERVICES_CHAIN] },
  { chain: 'POSTROUTING', rule: ['-j', POSTROUTING_CHAIN] },
];
