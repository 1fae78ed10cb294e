// Source text of an expression rebuilt from the syntax tree, for messages (`assertion failed:
// p != 0`) when the original text of the scenario is not at hand. Integer and string literals
// keep their source spelling; parentheses are kept as written (Paren nodes).

import type { Expr } from './ast';

export function unparse(e: Expr): string {
  switch (e.kind) {
    case 'IntLit':
    case 'StrLit':
      return e.text;
    case 'Bool':
      return e.value ? 'true' : 'false';
    case 'Null':
      return 'null';
    case 'Ident':
      return e.name;
    case 'Unary':
      return e.op + unparse(e.operand);
    case 'Binary':
      return `${unparse(e.left)} ${e.op} ${unparse(e.right)}`;
    case 'Call':
      return `${e.callee}(${e.args.map(unparse).join(', ')})`;
    case 'Member':
      return `${unparse(e.object)}.${e.field}`;
    case 'Index':
      return `${unparse(e.object)}[${unparse(e.index)}]`;
    case 'Paren':
      return `(${unparse(e.expr)})`;
    case 'Error':
      return '<error>';
  }
}
