// The Forge-metered counters, grouped the way Forge bills and limits them.
import { COUNTER_GROUPS, type CounterName, type CounterSnapshot } from '../../local-runtime/index.js';
import type { UsageView } from '../console-types.js';

export function usageView(metered: CounterSnapshot): UsageView {
  return {
    groups: Object.entries(COUNTER_GROUPS).map(([title, names]) => ({
      title,
      counters: names.map((name: CounterName) => ({ name, value: metered[name] })),
    })),
  };
}
