// The code blocks of a Markdown page, so that tests can run a page's examples as written.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const repoDir = path.resolve(import.meta.dirname, '../..');

export interface CodeBlock {
  /** The fence's info string, e.g. `sh`, `ts`. */
  lang: string;
  code: string;
  /** 1-based line of the opening fence, for failure messages. */
  line: number;
}

export function codeBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(path.resolve(repoDir, file), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  let open: { lang: string; line: number; body: string[] } | undefined;
  lines.forEach((text, i) => {
    const fence = /^```(\S*)\s*$/.exec(text);
    if (!fence) {
      open?.body.push(text);
      return;
    }
    if (open) {
      blocks.push({ lang: open.lang, code: open.body.join('\n'), line: open.line });
      open = undefined;
    } else {
      open = { lang: fence[1] ?? '', line: i + 1, body: [] };
    }
  });
  if (open) throw new Error(`${file}:${open.line}: a code block is never closed`);
  return blocks;
}

/** Marks a line of a shell example as its expected output; `…` in it stands for anything. */
const EXPECTED = '# → ';

export interface ShellExample {
  line: number;
  script: string;
  /** Matches the output the page shows, elisions included. */
  expected: RegExp;
}

export function shellExamples(file: string): ShellExample[] {
  return codeBlocks(file)
    .filter((b) => b.lang === 'sh')
    .map((b) => {
      const lines = b.code.split('\n');
      const expected = lines.filter((l) => l.startsWith(EXPECTED)).map((l) => l.slice(EXPECTED.length));
      if (expected.length === 0)
        throw new Error(`${file}:${b.line}: an sh example shows no '${EXPECTED}' output`);
      const anything = '[\\s\\S]*?';
      const pattern = expected.map((l) => l.split('…').map(escapeRegExp).join(anything)).join(anything);
      return {
        line: b.line,
        script: lines.filter((l) => !l.startsWith(EXPECTED)).join('\n'),
        expected: new RegExp(pattern),
      };
    });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
