/**
 * The lexer and recursive-descent parser for the label selector query
 * syntax (`labelSelector=` on LIST and WATCH), following Kubernetes'
 * `labels.Parse` token for token so error messages read the same:
 *
 *   selector    ::= requirement ("," requirement)*
 *   requirement ::= ["!"] KEY [ ("in" | "notin") "(" VALUES ")" | ("=" | "==" | "!=" | ">" | "<") VALUE ]
 *
 * Whitespace separates tokens and is otherwise ignored.
 */

/** The operators of a requirement, spelled as Kubernetes' `selection.Operator`. */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

/** A requirement as parsed, before its key and values are validated. */
export interface RawRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

type Token = 'id' | 'end' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<' | 'in' | 'notin';
interface Item {
  tok: Token;
  lit: string;
}

const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);
const WHITESPACE = new Set([' ', '\t', '\r', '\n']);
const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

function lex(s: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && WHITESPACE.has(s[i])) i++;
    if (i >= s.length) {
      items.push({ tok: 'end', lit: '' });
      return items;
    }
    if (SPECIAL.has(s[i])) {
      // Longest match: "!=" and "==" are the only two-character operators.
      const two = s.slice(i, i + 2);
      const lit = two === '!=' || two === '==' ? two : s[i];
      items.push({ tok: lit as Token, lit });
      i += lit.length;
      continue;
    }
    let j = i;
    while (j < s.length && !SPECIAL.has(s[j]) && !WHITESPACE.has(s[j])) j++;
    const lit = s.slice(i, j);
    items.push({ tok: lit === 'in' || lit === 'notin' ? lit : 'id', lit });
    i = j;
  }
}

/** Thrown for syntax errors; the message is Kubernetes' wording. */
export class SelectorSyntaxError extends Error {}

/**
 * Parses a selector into requirements in source order. Throws
 * `SelectorSyntaxError`. `check.key` runs on each key as soon as it is read
 * (Kubernetes reports a bad key before any later syntax error) and
 * `check.requirement` on each complete requirement; what they throw is
 * reported as `unable to parse requirement: <message>`.
 */
export function parseRequirements(
  selector: string,
  check: { key(key: string): void; requirement(r: RawRequirement): void },
): RawRequirement[] {
  const items = lex(selector);
  let pos = 0;
  // In value position "in" and "notin" are ordinary identifiers.
  const asValue = (it: Item): Item => (it.tok === 'in' || it.tok === 'notin' ? { tok: 'id', lit: it.lit } : it);
  const peek = (values = true) => (values ? asValue(items[pos]) : items[pos]);
  const next = (values = true) => (values ? asValue(items[pos++]) : items[pos++]);
  const fail = (msg: string): never => {
    throw new SelectorSyntaxError(msg);
  };

  const parseValues = (): string[] => {
    const open = next();
    if (open.tok !== '(') fail(`found '${open.lit}' expected: '('`);
    const first = peek();
    if (first.tok === ')') {
      next();
      return [''];
    }
    if (first.tok !== 'id' && first.tok !== ',') fail(`found '${first.lit}', expected: ',', ')' or identifier`);
    const values = new Set<string>();
    for (;;) {
      const it = next();
      if (it.tok === 'id') {
        values.add(it.lit);
        const after = peek();
        if (after.tok === ')') break;
        if (after.tok !== ',') fail(`found '${after.lit}', expected: ',' or ')'`);
      } else if (it.tok === ',') {
        // Empty entries ("(,a)", "(a,,b)", "(a,)") stand for the empty value.
        if (values.size === 0) values.add('');
        const after = peek();
        if (after.tok === ')') {
          values.add('');
          break;
        }
        if (after.tok === ',') values.add('');
      } else {
        fail(`found '${it.lit}', expected: ',', or identifier`);
      }
    }
    next();
    return [...values].sort();
  };

  const parseExactValue = (): string[] => {
    const it = peek();
    if (it.tok === 'end' || it.tok === ',') return [''];
    next();
    if (it.tok !== 'id') fail(`found '${it.lit}', expected: identifier`);
    return [it.lit];
  };

  const parseRequirement = (): RawRequirement => {
    let operator: LabelOperator | undefined;
    let it = next();
    if (it.tok === '!') {
      operator = '!';
      it = next();
    }
    if (it.tok !== 'id') fail(`found '${it.lit}', expected: identifier`);
    const key = it.lit;
    check.key(key);
    const after = peek();
    if (operator === '!' || after.tok === 'end' || after.tok === ',') {
      return { key, operator: operator ?? 'exists', values: [] };
    }
    const op = next(false);
    switch (op.tok) {
      case 'in':
      case 'notin':
        return { key, operator: op.tok, values: parseValues() };
      case '=':
      case '==':
      case '!=':
        return { key, operator: op.tok, values: parseExactValue() };
      case '>':
        return { key, operator: 'gt', values: parseExactValue() };
      case '<':
        return { key, operator: 'lt', values: parseExactValue() };
      default:
        return fail(`found '${op.lit}', expected: ${BINARY_OPERATORS}`);
    }
  };

  const out: RawRequirement[] = [];
  for (;;) {
    const it = peek();
    if (it.tok === 'end') return out;
    if (it.tok !== 'id' && it.tok !== '!') fail(`found '${it.lit}', expected: !, identifier, or 'end of string'`);
    try {
      const r = parseRequirement();
      check.requirement(r);
      out.push(r);
    } catch (err) {
      if (err instanceof SelectorSyntaxError)
        throw new SelectorSyntaxError(`unable to parse requirement: ${err.message}`);
      throw err;
    }
    const sep = next();
    if (sep.tok === 'end') return out;
    if (sep.tok !== ',') fail(`found '${sep.lit}', expected: ',' or 'end of string'`);
    const following = peek();
    if (following.tok !== 'id' && following.tok !== '!') {
      fail(`found '${following.lit}', expected: identifier after ','`);
    }
  }
}
