// The arguments a queue consumer is invoked with. A consumer that names a function gets the event
// and a context (`@forge/events` 2.x and later). One declared the resolver way (`resolver: {
// function, method }`) is called like a resolver, as Forge calls it (docs:
// runtime-reference/async-events-api-version-2-upgrade): `{ call: { functionKey: method, payload,
// jobId }, context }`, so `resolver.define(method, ({ payload, context }) => ...)` receives the
// event's body as `payload` and the job as `context.jobId` (`@forge/resolver` `getDefinitions`).
import type { ConsumerEvent } from './function-runner.js';
import type { LocalSite } from './forge-context.js';

export function consumerArgs(
  event: ConsumerEvent,
  resolverMethod: string | undefined,
  site: LocalSite,
): unknown[] {
  const context = { installContext: site.installContext };
  if (resolverMethod === undefined) return [event, context];
  // `@forge/events` 1.x added retryContext to the body of a retry ("`retryContext` is no longer added
  // to the event body" in 2.x: docs, async-events-api-version-2-upgrade); the resolver way keeps that.
  const payload = event.retryContext ? { ...event.body, retryContext: event.retryContext } : event.body;
  return [
    // `@forge/resolver` adds installContext (and jobId) to the context from these two.
    { call: { functionKey: resolverMethod, payload, jobId: event.jobId }, context: {} },
    context,
  ];
}
