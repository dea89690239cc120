// REST v2 of the local Jira: the v3 routes under /rest/api/2/, with rich text as strings, and the
// plain text <-> ADF conversion between the two.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import { adfToText, textToAdf } from '../../local-runtime/jira/adf.js';
import type { JiraCaller, JiraFixture } from '../../local-runtime/jira/jira-emulator.js';

describe('plain text <-> ADF', () => {
  it('makes one paragraph per blank-line-separated block, single newlines hard breaks', () => {
    expect(textToAdf('One\ntwo\n\nThree')).toEqual({
      type: 'doc',
      version: 1,
      content: [
        {
          type: 'paragraph',
          content: [{ type: 'text', text: 'One' }, { type: 'hardBreak' }, { type: 'text', text: 'two' }],
        },
        { type: 'paragraph', content: [{ type: 'text', text: 'Three' }] },
      ],
    });
    expect(textToAdf('')).toEqual({ type: 'doc', version: 1, content: [] });
  });

  it('gives back the text it was made from, wiki markup kept as written', () => {
    for (const text of [
      'plain',
      'a\nb',
      'a\n\nb\nc',
      '*bold* and {code}x{code}',
      'h1. Title\n\n* one\n* two',
    ]) {
      expect(adfToText(textToAdf(text))).toBe(text);
    }
  });

  it('reads the text of richer ADF: headings, lists, code, mentions; marks dropped', () => {
    const doc = {
      type: 'doc',
      version: 1,
      content: [
        { type: 'heading', attrs: { level: 1 }, content: [{ type: 'text', text: 'Title' }] },
        {
          type: 'bulletList',
          content: [
            {
              type: 'listItem',
              content: [
                { type: 'paragraph', content: [{ type: 'text', text: 'one', marks: [{ type: 'strong' }] }] },
              ],
            },
            {
              type: 'listItem',
              content: [
                { type: 'paragraph', content: [{ type: 'mention', attrs: { id: 'x', text: '@Ada' } }] },
              ],
            },
          ],
        },
        { type: 'codeBlock', content: [{ type: 'text', text: 'npm start' }] },
      ],
    };
    expect(adfToText(doc)).toBe('Title\n\none\n\n@Ada\n\nnpm start');
  });
});

const fixture: JiraFixture = {
  users: [
    {
      accountId: 'dev',
      displayName: 'Dev Dan',
      projects: { APP: ['BROWSE_PROJECTS', 'ADD_COMMENTS', 'TRANSITION_ISSUES'] },
    },
  ],
  richTextFields: ['customfield_10050'],
  issues: [
    {
      id: '10001',
      key: 'APP-1',
      fields: {
        summary: 'First',
        description: 'Hello\n\nWorld',
        customfield_10050: 'Notes here',
        customfield_10060: 'a single-line text field',
        status: { name: 'To Do' },
        project: { key: 'APP' },
        created: '2026-01-01T09:00:00.000+0000',
        updated: '2026-01-01T09:00:00.000+0000',
      },
    },
  ],
};

const appDir = path.resolve(import.meta.dirname, '../fixtures/functions-app');
const dev: JiraCaller = { kind: 'user', accountId: 'dev' };
let rt: LocalForgeRuntime;
beforeEach(async () => {
  rt = await createRuntime({ appDir, jira: fixture });
});
afterEach(() => rt.close());

async function call(method: string, p: string, body?: unknown) {
  const response = await rt.jira.fetch(
    p,
    body === undefined ? { method } : { method, body: JSON.stringify(body) },
    dev,
  );
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
}

describe('/rest/api/2/', () => {
  it('serves an issue with its rich text as strings where v3 gives ADF', async () => {
    const v3 = await call('GET', '/rest/api/3/issue/APP-1');
    expect((v3.body['fields'] as Record<string, unknown>)['description']).toEqual(
      textToAdf('Hello\n\nWorld'),
    );
    const v2 = await call('GET', '/rest/api/2/issue/APP-1');
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({
      self: 'https://local-forge.atlassian.net/rest/api/2/issue/10001',
      fields: {
        description: 'Hello\n\nWorld',
        customfield_10050: 'Notes here',
        customfield_10060: 'a single-line text field',
      },
    });
  });

  it('takes a comment as a string and keeps it as ADF, which v3 reads back', async () => {
    const added = await call('POST', '/rest/api/2/issue/APP-1/comment', { body: 'From v2\nsecond line' });
    expect(added.status).toBe(201);
    expect(added.body['body']).toBe('From v2\nsecond line');
    const v3 = await call('GET', `/rest/api/3/issue/APP-1/comment/${added.body['id'] as string}`);
    expect(v3.body['body']).toEqual(textToAdf('From v2\nsecond line'));
    const issue = await call('GET', '/rest/api/2/issue/APP-1?fields=comment');
    expect(issue.body).toMatchObject({
      fields: { comment: { comments: [{ body: 'From v2\nsecond line' }] } },
    });
    const listed = await call('GET', '/rest/api/2/issue/APP-1/comment');
    expect(listed.body).toMatchObject({ comments: [{ body: 'From v2\nsecond line' }] });
  });

  it('serves the other v3 routes too: transitions, search, statuses, permissions', async () => {
    const transitions = await call('GET', '/rest/api/2/issue/APP-1/transitions');
    const id = (transitions.body['transitions'] as Array<{ id: string }>)[0]!.id;
    expect((await call('POST', '/rest/api/2/issue/APP-1/transitions', { transition: { id } })).status).toBe(
      204,
    );
    const search = await call('POST', '/rest/api/2/search/jql', {
      jql: 'project = APP',
      fields: ['description'],
    });
    expect(search.body).toMatchObject({ issues: [{ fields: { description: 'Hello\n\nWorld' } }] });
    expect((await call('GET', '/rest/api/2/status')).status).toBe(200);
    expect(
      (
        await call('POST', '/rest/api/2/permissions/check', {
          projectPermissions: [{ permissions: ['ADD_COMMENTS'], issues: [10001] }],
        })
      ).body,
    ).toEqual({
      globalPermissions: [],
      projectPermissions: [{ permission: 'ADD_COMMENTS', issues: [10001], projects: [] }],
    });
  });

  it('answers 501 for what v3 lacks too', async () => {
    const missing = await call('GET', '/rest/api/2/field');
    expect(missing.status).toBe(501);
    expect(missing.body).toMatchObject({ method: 'GET', path: '/rest/api/2/field' });
  });
});
