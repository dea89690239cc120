// Everything the console page shows, in one answer, read without metering (see dead-letters-view).
import type { LocalForgeRuntime } from '../local-runtime/index.js';
import type { ConsoleSnapshot } from './console-types.js';
import { deadLettersView } from './views/dead-letters-view.js';
import { DEFAULT_ISSUES, issuesView } from './views/issues-view.js';
import { queuesView } from './views/queues-view.js';
import { reportsView } from './views/reports-view.js';
import { usageView } from './views/usage-view.js';

export function consoleSnapshot(rt: LocalForgeRuntime, issueLimit = DEFAULT_ISSUES): ConsoleSnapshot {
  return {
    generatedAt: Date.now(),
    appId: rt.manifest.appId,
    clock: rt.clock.kind,
    now: rt.clock.now(),
    queues: queuesView(rt),
    deadLetters: deadLettersView(rt),
    issues: issuesView(rt, issueLimit),
    reports: reportsView(rt),
    usage: usageView(rt.metered()),
  };
}
