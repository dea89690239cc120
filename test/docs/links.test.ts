// Every link in README.md and docs/ resolves: a relative link to a file or folder of the
// repository, and its `#anchor` to a heading of the Markdown page it names. Web links are only
// checked to be well-formed URLs; nothing is fetched. The README also stays under 12 KB.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoDir } from './markdown-blocks.js';

const README_MAX_BYTES = 12 * 1024;

interface Link {
  target: string;
  line: number;
}

/** README.md and every Markdown file under docs/, relative to the repository. */
function pages(): string[] {
  const docs = readdirSync(path.join(repoDir, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.md'))
    .map((file) => path.join('docs', file));
  return ['README.md', ...docs.sort()];
}

/** The text with code blocks and code spans blanked out, keeping every line and column. */
function withoutCode(text: string): string {
  let fence: string | undefined;
  const lines = text.split('\n').map((line) => {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      return '';
    }
    return fence === undefined ? line : '';
  });
  return lines.join('\n').replace(/(`+)(?:(?!\1)[^\n])*?\1/g, (span) => 'x'.repeat(span.length));
}

/** Inline links and images, autolinks and reference definitions, with their line. */
function linksIn(text: string): Link[] {
  const prose = withoutCode(text);
  const lineOf = (index: number) => prose.slice(0, index).split('\n').length;
  const found: Link[] = [];
  const patterns = [
    /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g,
    /<(https?:\/\/[^>\s]+)>/g,
    /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm,
  ];
  for (const pattern of patterns)
    for (const match of prose.matchAll(pattern)) found.push({ target: match[1]!, line: lineOf(match.index) });
  return found.sort((a, b) => a.line - b.line);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a page has: its headings' slugs (repeats numbered as GitHub does), and HTML ids. */
function anchorsIn(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading !== undefined) {
      const base = slug(heading);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const id of line.matchAll(/<a\s[^>]*(?:id|name)="([^"]+)"/g)) anchors.add(id[1]!);
  }
  return anchors;
}

/** What is wrong with one link of `page` (a path relative to the repository), or undefined. */
function problemWith(page: string, target: string, read = readPage): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
    if (!/^https?:\/\//i.test(target)) return `not a web or relative link`;
    try {
      const url = new URL(target);
      return url.hostname.includes('.') ? undefined : 'no host name';
    } catch {
      return 'not a well-formed URL';
    }
  }
  const [rawPath = '', anchor] = target.split('#', 2);
  const file = rawPath === '' ? page : path.normalize(path.join(path.dirname(page), decodeURI(rawPath)));
  if (file.startsWith('..') || path.isAbsolute(file)) return 'points outside the repository';
  const absolute = path.join(repoDir, file);
  if (!existsSync(absolute)) return `${file} does not exist`;
  if (anchor === undefined) return undefined;
  if (!file.endsWith('.md') || statSync(absolute).isDirectory()) return `an anchor into ${file}`;
  return anchorsIn(read(file)).has(anchor) ? undefined : `${file} has no heading #${anchor}`;
}

function readPage(file: string): string {
  return readFileSync(path.join(repoDir, file), 'utf8');
}

describe('links in README.md and docs/', () => {
  it('finds the pages and their links', () => {
    expect(pages()).toContain('docs/writer.md');
    expect(pages()).toContain('docs/writer/errors.md');
    expect(linksIn(readPage('README.md')).length).toBeGreaterThan(10);
  });

  it.each(pages())('%s: every link resolves', (page) => {
    const broken = linksIn(readPage(page))
      .map((link) => ({ ...link, problem: problemWith(page, link.target) }))
      .filter((link) => link.problem !== undefined)
      .map((link) => `${page}:${link.line}: ${link.target}: ${link.problem}`);
    expect(broken).toEqual([]);
  });

  it('README.md is under 12 KB', () => {
    expect(statSync(path.join(repoDir, 'README.md')).size).toBeLessThan(README_MAX_BYTES);
  });
});

describe('the link checker', () => {
  const page = [
    '# Use it: `defineWriter()` & more',
    '## Use it: `defineWriter()` & more',
    'See [the API](#use-it-definewriter--more), [again](#use-it-definewriter--more-1),',
    '[gone](#nowhere), [a file](docs/writer.md), [a lost file](docs/nope.md),',
    '<https://developer.atlassian.com/platform/forge/>, [bad](https://), [up](../../etc/passwd)',
    '```sh',
    'echo [not a link](nowhere.md)',
    '```',
    'and `[nor this](nowhere.md)`.',
  ].join('\n');
  const check = (target: string) => problemWith('README.md', target, () => page);

  it('reads links outside code only, with their lines', () => {
    expect(linksIn(page).map((l) => `${l.line} ${l.target}`)).toEqual([
      '3 #use-it-definewriter--more',
      '3 #use-it-definewriter--more-1',
      '4 #nowhere',
      '4 docs/writer.md',
      '4 docs/nope.md',
      '5 https://',
      '5 ../../etc/passwd',
      '5 https://developer.atlassian.com/platform/forge/',
    ]);
  });

  it('accepts what resolves and names what does not', () => {
    expect(check('#use-it-definewriter--more')).toBeUndefined();
    expect(check('#use-it-definewriter--more-1')).toBeUndefined();
    expect(check('docs/writer.md')).toBeUndefined();
    expect(check('https://developer.atlassian.com/platform/forge/')).toBeUndefined();
    expect(check('#nowhere')).toBe('README.md has no heading #nowhere');
    expect(check('docs/nope.md')).toBe('docs/nope.md does not exist');
    expect(check('https://')).toBe('not a well-formed URL');
    expect(check('../../etc/passwd')).toBe('points outside the repository');
  });
});
