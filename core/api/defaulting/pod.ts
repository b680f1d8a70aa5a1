/**
 * Pod defaulting as Kubernetes v1.32 applies it: PodSpec defaults (also in
 * every pod template), container, probe, volume and env defaults, and the
 * Pod-only ones (enableServiceLinks, requests from limits, host ports under
 * hostNetwork, and the priority the Priority admission plugin assigns).
 */
import { child, defaultInt, defaultPointer, defaultString, items, type Json, optional } from './fields.ts';

/** Kubernetes' built-in priority classes (any other class is resolved by admission, which skube does not run). */
const SYSTEM_PRIORITIES: Record<string, number> = {
  'system-cluster-critical': 2000000000,
  'system-node-critical': 2000001000,
};

/**
 * The tag of an image reference as Kubernetes' ParseImageName sees it:
 * `latest` when neither tag nor digest is given, '' for a digest only.
 */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : '';
  return tag || (at >= 0 ? '' : 'latest');
}

function defaultHTTPGet(handler: Json | undefined): void {
  const http = optional(handler, 'httpGet');
  if (!http) return;
  defaultString(http, 'path', '/');
  defaultString(http, 'scheme', 'HTTP');
}

function defaultProbe(probe: Json | undefined): void {
  if (!probe) return;
  defaultInt(probe, 'timeoutSeconds', 1);
  defaultInt(probe, 'periodSeconds', 10);
  defaultInt(probe, 'successThreshold', 1);
  defaultInt(probe, 'failureThreshold', 3);
  defaultHTTPGet(probe);
  const grpc = optional(probe, 'grpc');
  if (grpc) defaultPointer(grpc, 'service', '');
}

function defaultFieldRef(holder: Json | undefined): void {
  const ref = optional(holder, 'fieldRef');
  if (ref) defaultString(ref, 'apiVersion', 'v1');
}

function defaultContainer(c: Json): void {
  if (c.imagePullPolicy === undefined || c.imagePullPolicy === null || c.imagePullPolicy === '') {
    c.imagePullPolicy = imageTag(typeof c.image === 'string' ? c.image : '') === 'latest' ? 'Always' : 'IfNotPresent';
  }
  defaultString(c, 'terminationMessagePath', '/dev/termination-log');
  defaultString(c, 'terminationMessagePolicy', 'File');
  // ResourceRequirements is a struct in Go, so it always serializes.
  child(c, 'resources');
  for (const port of items(c, 'ports')) defaultString(port, 'protocol', 'TCP');
  for (const env of items(c, 'env')) defaultFieldRef(optional(env, 'valueFrom'));
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(optional(c, probe));
  const lifecycle = optional(c, 'lifecycle');
  defaultHTTPGet(optional(lifecycle, 'postStart'));
  defaultHTTPGet(optional(lifecycle, 'preStop'));
}

const VOLUME_SOURCES = new Set([
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
]);

function defaultVolume(v: Json): void {
  if (![...VOLUME_SOURCES].some((s) => optional(v, s))) v.emptyDir = {};
  const hostPath = optional(v, 'hostPath');
  if (hostPath) defaultPointer(hostPath, 'type', '');
  for (const source of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const s = optional(v, source);
    if (s) defaultPointer(s, 'defaultMode', 0o644);
  }
  for (const file of items(optional(v, 'downwardAPI'), 'items')) defaultFieldRef(file);
  for (const src of items(optional(v, 'projected'), 'sources')) {
    const token = optional(src, 'serviceAccountToken');
    if (token) defaultPointer(token, 'expirationSeconds', 3600);
    for (const file of items(optional(src, 'downwardAPI'), 'items')) defaultFieldRef(file);
  }
  const claim = optional(optional(optional(v, 'ephemeral'), 'volumeClaimTemplate'), 'spec');
  if (claim) defaultPointer(claim, 'volumeMode', 'Filesystem');
}

/** Applies the PodSpec defaults (pods and pod templates alike) to a spec in place. */
export function defaultPodSpec(spec: Json): void {
  defaultString(spec, 'dnsPolicy', 'ClusterFirst');
  defaultString(spec, 'restartPolicy', 'Always');
  defaultPointer(spec, 'securityContext', {});
  defaultPointer(spec, 'terminationGracePeriodSeconds', 30);
  defaultString(spec, 'schedulerName', 'default-scheduler');
  for (const v of items(spec, 'volumes')) defaultVolume(v);
  for (const kind of ['containers', 'initContainers', 'ephemeralContainers']) {
    for (const c of items(spec, kind)) defaultContainer(c);
  }
}

/** Applies the defaults of a pod template (`spec.template` of a workload) in place. */
export function defaultPodTemplate(template: Json): void {
  defaultPodSpec(child(template, 'spec'));
}

function requestsFromLimits(c: Json): void {
  const resources = optional(c, 'resources');
  const limits = optional(resources, 'limits');
  if (!resources || !limits) return;
  resources.requests = { ...limits, ...(optional(resources, 'requests') ?? {}) };
}

/** Applies the defaults of a Pod (PodSpec defaults plus the Pod-only ones) in place. */
export function defaultPod(pod: Json): void {
  const spec = child(pod, 'spec');
  defaultPodSpec(spec);
  for (const kind of ['containers', 'initContainers']) {
    for (const c of items(spec, kind)) {
      requestsFromLimits(c);
      if (spec.hostNetwork === true) {
        for (const port of items(c, 'ports')) if (!port.hostPort) port.hostPort = port.containerPort;
      }
    }
  }
  defaultPointer(spec, 'enableServiceLinks', true);
  // The Priority admission plugin: no class means priority 0.
  const className = typeof spec.priorityClassName === 'string' ? spec.priorityClassName : '';
  if (!className) defaultPointer(spec, 'priority', 0);
  else if (className in SYSTEM_PRIORITIES) defaultPointer(spec, 'priority', SYSTEM_PRIORITIES[className]);
  defaultPointer(spec, 'preemptionPolicy', 'PreemptLowerPriority');
}
