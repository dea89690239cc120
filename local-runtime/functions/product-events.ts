// Delivers one Jira product event to every `trigger` module subscribed to it, as Forge does:
// payload `{ eventType, issue, atlassianId, timestamp, changelog? }`, context `{ cloudId, moduleKey }`.
// A trigger with `filter.ignoreSelf` does not see events the app's own account caused.
import type { JiraEmulator } from '../jira/jira-emulator.js';
import type { ServiceContext } from '../kernel/service-context.js';
import type { AppManifest } from '../manifest/app-manifest.js';
import { moduleContext } from './forge-context.js';
import type { FunctionRunner } from './function-runner.js';
import { viewOutcome, type OutcomeView } from './module-errors.js';

export interface ProductEventInput {
  /** The issue; `{ key }` or `{ id }` alone is filled in from the local Jira when it has the issue. */
  issue?: Record<string, unknown>;
  /** The user who caused the event; the app's account id makes it the app's own event. */
  atlassianId?: string;
  changelog?: unknown;
  timestamp?: string;
  [field: string]: unknown;
}

export interface TriggerDelivery {
  triggerKey: string;
  functionKey: string;
  /** `skipped` when `filter.ignoreSelf` held the event back. */
  outcome: OutcomeView | { status: 'skipped'; reason: string };
}

export interface ProductEventReport {
  eventType: string;
  payload: Record<string, unknown>;
  deliveries: TriggerDelivery[];
}

export async function fireProductEvent(
  ctx: ServiceContext,
  manifest: AppManifest,
  functions: FunctionRunner,
  jira: JiraEmulator,
  eventType: string,
  input: ProductEventInput = {},
): Promise<ProductEventReport> {
  const payload: Record<string, unknown> = {
    ...input,
    eventType,
    ...(input.issue ? { issue: fullIssue(jira, input.issue) } : {}),
    timestamp: input.timestamp ?? new Date(ctx.clock.now()).toISOString(),
  };
  const selfCaused = input.atlassianId !== undefined && input.atlassianId === jira.appAccountId;
  const deliveries: TriggerDelivery[] = [];
  // One trigger after another, in manifest order, so runs replay identically.
  for (const trigger of manifest.triggers.filter((t) => t.events.includes(eventType))) {
    if (selfCaused && trigger.ignoreSelf) {
      deliveries.push({
        triggerKey: trigger.key,
        functionKey: trigger.function,
        outcome: { status: 'skipped', reason: 'filter.ignoreSelf: the app caused this event' },
      });
      continue;
    }
    const outcome = await functions.invoke({
      kind: 'trigger',
      functionKey: trigger.function,
      args: [structuredClone(payload), moduleContext(trigger.key)],
    });
    deliveries.push({
      triggerKey: trigger.key,
      functionKey: trigger.function,
      outcome: viewOutcome(outcome),
    });
  }
  ctx.log(
    `[triggers] ${eventType}: ${deliveries.map((d) => `${d.triggerKey}=${d.outcome.status}`).join(', ') || 'no subscribers'}`,
  );
  return { eventType, payload, deliveries };
}

function fullIssue(jira: JiraEmulator, issue: Record<string, unknown>): Record<string, unknown> {
  const ref =
    typeof issue['id'] === 'string'
      ? issue['id']
      : typeof issue['key'] === 'string'
        ? issue['key']
        : undefined;
  const known = ref === undefined ? undefined : jira.inspect.issue(ref);
  if (!known) return issue;
  return { id: known.id, key: known.key, fields: structuredClone(known.fields), ...issue };
}
