/** The scheduler core's public API: what the API wiring needs to schedule pending pods. */
export { type CacheContents, createSchedulerCache, SchedulerCache, type WorkloadKind } from './cache.ts';
export {
  buildProfile,
  DEFAULT_CONFIGURATION,
  numFeasibleNodesToFind,
  type PluginSetting,
  type SchedulerConfiguration,
  type SchedulerProfile,
} from './config.ts';
export {
  type AnyPlugin,
  CycleState,
  type FilterPlugin,
  MAX_NODE_SCORE,
  type NodeInfo,
  type PodInfo,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
  type Snapshot,
  type Status,
} from './framework.ts';
export { EventRecorder, EventSpamFilter, eventName, SCHEDULER_COMPONENT } from './events.ts';
export { type RunningScheduler, type SchedulerDeps, type SchedulerLoopConfig, startScheduler } from './loop.ts';
export { fitErrorMessage, NO_NODES_AVAILABLE } from './message.ts';
export { markUnschedulable, REASON_UNSCHEDULABLE, showsUnschedulable } from './pod-status.ts';
export { REGISTRY } from './plugins/registry.ts';
export { type QueuedPod, SchedulingQueue, type SchedulingQueueOptions } from './queue.ts';
export {
  type Rng,
  type ScheduleFailure,
  type ScheduleResult,
  type ScheduleSuccess,
  schedulePod,
} from './schedule-pod.ts';
