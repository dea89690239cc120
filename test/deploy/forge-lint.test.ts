// `npm run forge-lint` (run by `npm run build`, which `npm test` runs first) passes on this app;
// here, proof that it fails where `forge deploy` would: a rule of @forge/lint broken in a copy.
import { afterAll, describe, expect, it } from 'vitest';
import { lintApp, SKIPPED_RULES } from '../../deploy/forge-lint.js';
import { appCopies } from './app-copy.js';

describe('forge lint, offline', () => {
  const copies = appCopies();
  afterAll(() => copies.removeAll());

  it('reports a resolver function whose timeout exceeds what Forge allows', async () => {
    const dir = copies.withEdit(
      'manifest.yml',
      '    - key: resolver\n      handler: producers/resolvers.handler',
      '    - key: resolver\n      handler: producers/resolvers.handler\n      timeoutSeconds: 120',
    );
    const report = await lintApp(dir);
    expect(report.errors.map((e) => e.message).join('\n')).toMatch(/resolver.*120|120.*resolver/s);
    expect(report.skipped).toEqual(SKIPPED_RULES);
  }, 120_000);
});
