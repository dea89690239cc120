// Rich text between Jira's REST versions: v3 carries the Atlassian Document Format (ADF), v2 a
// plain string (wiki markup). The conversion is deliberately simple and lossy: a string becomes one
// ADF paragraph per blank-line-separated block (single newlines become hard breaks); ADF becomes
// its text, blocks separated by a blank line. Marks, mentions, tables and wiki markup are not
// translated (docs/local-runtime.md, "What the local Jira emulates").

export interface AdfNode {
  type: string;
  text?: string;
  content?: AdfNode[];
  attrs?: Record<string, unknown>;
  marks?: unknown[];
}

export interface AdfDocument extends AdfNode {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}

export function isAdfDocument(value: unknown): value is AdfDocument {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'doc' &&
    Array.isArray((value as { content?: unknown }).content)
  );
}

/** Plain text (or wiki markup, kept literally) as an ADF document of paragraphs. */
export function textToAdf(text: string): AdfDocument {
  const blocks = text
    .replaceAll('\r\n', '\n')
    .split(/\n{2,}/)
    .filter((block) => block.length > 0);
  return {
    type: 'doc',
    version: 1,
    content: blocks.map((block) => ({
      type: 'paragraph',
      content: block.split('\n').flatMap((line, i): AdfNode[] => {
        const text: AdfNode[] = line.length > 0 ? [{ type: 'text', text: line }] : [];
        return i === 0 ? text : [{ type: 'hardBreak' }, ...text];
      }),
    })),
  };
}

/** The text of an ADF document: its blocks separated by a blank line, hard breaks as newlines. */
export function adfToText(doc: AdfNode): string {
  return blocksOf(doc).join('\n\n');
}

const INLINE_TEXT: Record<string, (node: AdfNode) => string> = {
  text: (node) => node.text ?? '',
  hardBreak: () => '\n',
  mention: (node) => String(node.attrs?.['text'] ?? ''),
  emoji: (node) => String(node.attrs?.['shortName'] ?? ''),
  inlineCard: (node) => String(node.attrs?.['url'] ?? ''),
};

function blocksOf(node: AdfNode): string[] {
  const children = node.content ?? [];
  // A node whose children are inline content is one block of text.
  if (children.length > 0 && children.every((child) => child.type in INLINE_TEXT)) {
    return [children.map((child) => INLINE_TEXT[child.type]!(child)).join('')];
  }
  if (node.type in INLINE_TEXT) return [INLINE_TEXT[node.type]!(node)];
  return children.flatMap(blocksOf);
}
