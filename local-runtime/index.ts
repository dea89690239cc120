// The local Forge runtime's public API.
export { createRuntime, LocalForgeRuntime, type RuntimeOptions } from './runtime.js';
export type { LatencyModel, Delay } from './kernel/latency.js';
export type { FaultOptions, FaultPlan } from './kernel/faults.js';
export type { CounterName, CounterSnapshot } from './kernel/counters.js';
export { COUNTER_GROUPS, Counters } from './kernel/counters.js';
export type { TraceEntry } from './kernel/trace.js';
export type {
  ConsumerDelivery,
  DeliveryListener,
  DeliveryOutcomeKind,
  InjectedFaultKind,
  InjectedFaults,
  KvsRequests,
} from './events/events-emulator.js';
export type { HandlerSource } from './manifest/handler-loader.js';
export { HOLD_BACK_MODELS, type HoldBackModel } from './events/hold-back.js';
export {
  DEFAULT_PLATFORM,
  PLATFORM_PROFILES,
  type PlatformOption,
  type PlatformProfile,
  type PlatformProfileName,
} from './kvs/platform-profile.js';
export type {
  JiraFixture,
  JiraOption,
  JiraOptions,
  JiraRoute,
  JiraRouteAnswer,
  JiraRouteRequest,
} from './jira/jira-emulator.js';
