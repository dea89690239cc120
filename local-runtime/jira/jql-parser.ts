// Parses the JQL subset the local Jira understands into a tree: clauses `field op value(s)` joined
// by AND / OR / NOT and parentheses, then an optional ORDER BY. Which fields and operators are
// supported is the compiler's concern (`jql-compiler.ts`); this file only knows the grammar.

export class JqlError extends Error {}

export type JqlOperator =
  '=' | '!=' | '>' | '>=' | '<' | '<=' | '~' | '!~' | 'in' | 'not in' | 'is' | 'is not';

export type JqlValue =
  { kind: 'text'; text: string } | { kind: 'empty' } | { kind: 'function'; name: string; args: string[] };

export interface JqlClause {
  type: 'clause';
  field: string;
  operator: JqlOperator;
  values: JqlValue[];
}

export type JqlNode =
  JqlClause | { type: 'and' | 'or'; children: JqlNode[] } | { type: 'not'; child: JqlNode };

export interface JqlOrder {
  field: string;
  direction: 'asc' | 'desc';
}

export interface JqlQuery {
  where: JqlNode | undefined;
  orderBy: JqlOrder[];
}

type Token =
  | { type: 'word'; text: string; at: number }
  | { type: 'string'; text: string; at: number }
  | { type: 'op'; text: string; at: number }
  | { type: 'punct'; text: '(' | ')' | ','; at: number };

const OPERATORS = ['!=', '>=', '<=', '!~', '=', '>', '<', '~'];

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < jql.length) {
    const c = jql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ type: 'punct', text: c, at: i++ });
    } else if (c === '"' || c === "'") {
      const start = i++;
      let text = '';
      while (i < jql.length && jql[i] !== c) {
        if (jql[i] === '\\' && i + 1 < jql.length) i++;
        text += jql[i++];
      }
      if (i >= jql.length)
        throw new JqlError(
          `Error in the JQL Query: the quoted string starting at character ${start + 1} is not closed.`,
        );
      i++;
      tokens.push({ type: 'string', text, at: start });
    } else {
      const op = OPERATORS.find((o) => jql.startsWith(o, i));
      if (op) {
        tokens.push({ type: 'op', text: op, at: i });
        i += op.length;
        continue;
      }
      const start = i;
      while (i < jql.length && !/[\s(),=!<>~"']/.test(jql[i]!)) i++;
      if (i === start)
        throw new JqlError(
          `Error in the JQL Query: the character '${c}' at character ${i + 1} is not allowed here.`,
        );
      tokens.push({ type: 'word', text: jql.slice(start, i), at: start });
    }
  }
  return tokens;
}

const RESERVED = new Set(['and', 'or', 'not', 'in', 'is', 'order', 'by', 'asc', 'desc', 'empty', 'null']);

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly jql: string,
  ) {}

  parse(): JqlQuery {
    const where = this.isKeyword('order') || this.atEnd() ? undefined : this.parseOr();
    const orderBy: JqlOrder[] = [];
    if (this.isKeyword('order')) {
      this.pos++;
      this.expectKeyword('by');
      do {
        const field = this.expectField('a field to order by');
        let direction: 'asc' | 'desc' = 'asc';
        if (this.isKeyword('asc') || this.isKeyword('desc'))
          direction = this.next().text.toLowerCase() as 'asc' | 'desc';
        orderBy.push({ field, direction });
      } while (this.takePunct(','));
    }
    if (!this.atEnd()) this.fail(`expecting AND, OR or ORDER BY`);
    return { where, orderBy };
  }

  private parseOr(): JqlNode {
    const children = [this.parseAnd()];
    while (this.isKeyword('or')) {
      this.pos++;
      children.push(this.parseAnd());
    }
    return children.length === 1 ? children[0]! : { type: 'or', children };
  }

  private parseAnd(): JqlNode {
    const children = [this.parseUnary()];
    while (this.isKeyword('and')) {
      this.pos++;
      children.push(this.parseUnary());
    }
    return children.length === 1 ? children[0]! : { type: 'and', children };
  }

  private parseUnary(): JqlNode {
    if (this.isKeyword('not')) {
      this.pos++;
      return { type: 'not', child: this.parseUnary() };
    }
    if (this.takePunct('(')) {
      const inner = this.parseOr();
      if (!this.takePunct(')')) this.fail(`expecting ')'`);
      return inner;
    }
    return this.parseClause();
  }

  private parseClause(): JqlClause {
    const field = this.expectField('a field name');
    const operator = this.parseOperator(field);
    if (operator === 'in' || operator === 'not in') {
      if (!this.takePunct('(')) this.fail(`expecting '(' to start the list after '${operator}'`);
      const values = [this.parseValue()];
      while (this.takePunct(',')) values.push(this.parseValue());
      if (!this.takePunct(')')) this.fail(`expecting ',' or ')' in the list`);
      return { type: 'clause', field, operator, values };
    }
    return { type: 'clause', field, operator, values: [this.parseValue()] };
  }

  private parseOperator(field: string): JqlOperator {
    const token = this.peek();
    if (token?.type === 'op') return this.next().text as JqlOperator;
    if (this.takeKeyword('in')) return 'in';
    if (this.isKeyword('not')) {
      this.pos++;
      if (this.takeKeyword('in')) return 'not in';
      this.fail(`expecting 'in' after 'not'`);
    }
    if (this.isKeyword('is')) {
      this.pos++;
      if (this.takeKeyword('not')) return 'is not';
      return 'is';
    }
    return this.fail(`expecting an operator after the field '${field}'`);
  }

  private parseValue(): JqlValue {
    const token = this.peek();
    if (!token) return this.fail('expecting a value');
    if (token.type === 'string') {
      this.pos++;
      return { kind: 'text', text: token.text };
    }
    if (token.type !== 'word') return this.fail('expecting a value, a list or a function');
    this.pos++;
    const lower = token.text.toLowerCase();
    if (lower === 'empty' || lower === 'null') return { kind: 'empty' };
    if (this.takePunct('(')) {
      const args: string[] = [];
      if (!this.takePunct(')')) {
        do {
          const arg = this.next();
          if (!arg || (arg.type !== 'word' && arg.type !== 'string'))
            this.fail('expecting a function argument');
          args.push(arg.text);
        } while (this.takePunct(','));
        if (!this.takePunct(')')) this.fail(`expecting ')' to close the call of ${token.text}()`);
      }
      return { kind: 'function', name: token.text, args };
    }
    if (RESERVED.has(lower)) {
      this.pos--;
      this.fail(`'${token.text}' is a reserved word: quote it to use it as a value`);
    }
    return { kind: 'text', text: token.text };
  }

  private expectField(what: string): string {
    const token = this.peek();
    if (
      token &&
      (token.type === 'string' || (token.type === 'word' && !RESERVED.has(token.text.toLowerCase())))
    ) {
      this.pos++;
      return token.text;
    }
    return this.fail(`expecting ${what}`);
  }

  private expectKeyword(word: string): void {
    if (!this.isKeyword(word)) this.fail(`expecting '${word.toUpperCase()}'`);
    this.pos++;
  }

  private takeKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.pos++;
    return true;
  }

  private isKeyword(word: string): boolean {
    const token = this.peek();
    return token?.type === 'word' && token.text.toLowerCase() === word;
  }

  private takePunct(text: '(' | ')' | ','): boolean {
    const token = this.peek();
    if (token?.type !== 'punct' || token.text !== text) return false;
    this.pos++;
    return true;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private next(): Token {
    const token = this.tokens[this.pos++];
    if (!token) this.fail('unexpected end of the query');
    return token;
  }

  private atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }

  private fail(message: string): never {
    const token = this.tokens[this.pos];
    const where = token ? `but got '${token.text}' at character ${token.at + 1}` : 'but the query ended';
    throw new JqlError(`Error in the JQL Query: ${message} ${where}. The query was: ${this.jql}`);
  }
}

export function parseJql(jql: string): JqlQuery {
  return new Parser(tokenize(jql), jql).parse();
}
