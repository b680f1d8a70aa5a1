/**
 * The container runtime the kubelet drives (a small interface in the spirit
 * of the CRI and virtual-kubelet's provider): create/start/stop/remove
 * containers, exec in them, pull images, list them by label. The Docker
 * implementation is `docker-runtime.ts`; everything else in the kubelet
 * talks only to this interface.
 */

/** Docker labels the kubelet puts on every container it creates (see agent-contracts). */
export const LABELS = {
  namespace: 'io.kubernetes.pod.namespace',
  podName: 'io.kubernetes.pod.name',
  podUid: 'io.kubernetes.pod.uid',
  containerName: 'io.kubernetes.container.name',
  restartCount: 'io.kubernetes.container.restartCount',
  node: 'io.skube.node',
  /** `init`, `app` or `pause`: which list of the pod spec the container comes from. */
  kind: 'io.skube.container.kind',
} as const;

/** The container name label value of a pod's pause (sandbox) container. */
export const POD_CONTAINER_NAME = 'POD';

/** A container as the runtime reports it. */
export interface RuntimeContainer {
  id: string;
  labels: Record<string, string>;
  /** The image reference it was created from. */
  image: string;
  /** `docker-pullable://…` or the image ID. */
  imageId: string;
  state: 'created' | 'running' | 'exited' | 'unknown';
  exitCode?: number;
  oomKilled?: boolean;
  /** Runtime error text when a start failed. */
  error?: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Host pid of the main process while running. */
  pid?: number;
  /** Bridge IP (pause containers). */
  ip?: string;
  /** Published ports: `"8080/TCP"` → host port. */
  publishedPorts?: Record<string, number>;
}

/** A port the pause container publishes. */
export interface PortBinding {
  containerPort: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  hostIp: string;
  /** 0 or undefined: a dynamic port. */
  hostPort?: number;
}

/** Linux resource limits of a container. */
export interface ContainerResources {
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  memoryBytes?: number;
}

/** What the kubelet asks the runtime to create. */
export interface CreateContainerRequest {
  name: string;
  image: string;
  labels: Record<string, string>;
  /** Replaces the image's entrypoint when set. */
  entrypoint?: string[];
  /** Replaces the image's cmd when set. */
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  /** `bridge` for a pause container, `container:<id>` for containers joining it. */
  networkMode: string;
  hostname?: string;
  extraHosts?: string[];
  ports?: PortBinding[];
  /** `host:container[:ro]` bind mounts. */
  binds?: string[];
  resources?: ContainerResources;
  /** Share the IPC and PID namespace of the pause container (`container:<id>`). */
  ipcMode?: string;
  tty?: boolean;
  stdin?: boolean;
}

/** Registry credentials for one pull. */
export interface PullAuth {
  username?: string;
  password?: string;
  serverAddress?: string;
  auth?: string;
}

/** A container lifecycle event (`start`, `die`, `oom`, `destroy`…). */
export interface RuntimeEvent {
  id: string;
  action: string;
  labels: Record<string, string>;
}

/** Result of an exec. */
export interface ExecResult {
  exitCode: number;
  output: string;
}

/** The container runtime. Every method throws on runtime errors; `remove`/`stop` of a missing container is not an error. */
export interface ContainerRuntime {
  /** Runtime name and version, e.g. `docker://20.10.24`. */
  version(): Promise<string>;
  /** Every container (running or not) whose labels include all of `labels`. */
  list(labels: Record<string, string>): Promise<RuntimeContainer[]>;
  /** One container, or undefined if it is gone. */
  inspect(id: string): Promise<RuntimeContainer | undefined>;
  /** Creates a container; one of the same name left behind is replaced. */
  create(req: CreateContainerRequest): Promise<string>;
  start(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after `timeoutSeconds`. Resolves when stopped. */
  stop(id: string, timeoutSeconds: number): Promise<void>;
  remove(id: string): Promise<void>;
  /** Runs `command` in a running container, giving up after `timeoutMs`. */
  exec(id: string, command: string[], timeoutMs: number): Promise<ExecResult>;
  /** The image's ID if present locally. */
  imageId(image: string): Promise<string | undefined>;
  pull(image: string, auth?: PullAuth): Promise<void>;
  /** The last `bytes` of a container's output (termination message fallback). */
  tailLogs(id: string, lines: number): Promise<string>;
  /** Calls `onEvent` on every lifecycle event of containers labelled `labels` (with the container's labels); returns a stopper. */
  watchEvents(labels: Record<string, string>, onEvent: (event: RuntimeEvent) => void): () => void;
}
