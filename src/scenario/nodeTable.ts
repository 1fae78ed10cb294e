// Facts the interpreter keeps per syntax-tree node, by node id: whether evaluating an expression
// may have to yield (it calls a user function, or a built-in with a fault-stepping variant), whether
// a block declares variables (so it needs a scope of its own), and where its source text is. It
// exists so that the hot path of the interpreter decides with one array read, and so that text
// parsed later (debug console, watches) can join the scenario's tree without id collisions.

import type { Expr, Node, Program } from './ast';
import { childNodes, forEachNode } from './ast';
import { unparse } from './unparse';

/** An expression (or a simple statement's expressions) calls a user function. */
export const CALLS_USER = 1;
/** ... calls a built-in that has a fault-stepping variant. */
export const CALLS_STEPPING = 2;
/** A block has a `let` among its own statements. */
export const DECLARES = 4;

interface SourceSegment {
  from: number;
  to: number;
  text: string;
}

export class NodeTable {
  readonly flags: number[] = [];
  private readonly sources: SourceSegment[] = [];
  private nextId: number;

  constructor(program: Program, source: string | undefined) {
    this.nextId = program.nodeCount;
    if (source !== undefined) this.sources.push({ from: 0, to: program.nodeCount, text: source });
  }

  /** Computes the flags of every node under `root`. */
  mark(root: Node, isUserFunction: (name: string) => boolean, hasSteppingVariant: (name: string) => boolean): void {
    const nodes: Node[] = [];
    forEachNode(root, (n) => {
      nodes.push(n);
    });
    // pre-order: children come after their parent, so walking backwards sees children first
    for (let i = nodes.length - 1; i >= 0; i--) {
      const n = nodes[i];
      let f = 0;
      if (n.kind === 'Call') {
        if (isUserFunction(n.callee)) f |= CALLS_USER;
        else if (hasSteppingVariant(n.callee)) f |= CALLS_STEPPING;
      }
      for (const c of childNodes(n)) {
        if (c.kind === 'Fn') continue;
        f |= (this.flags[c.id] ?? 0) & (CALLS_USER | CALLS_STEPPING);
      }
      if (n.kind === 'Block' && n.statements.some((x) => x.kind === 'Let')) f |= DECLARES;
      if (n.kind !== 'Program') this.flags[n.id] = f;
    }
  }

  /** Gives the nodes of a separately parsed program ids after every id seen so far; keeps its text. */
  renumber(snippet: Program, text: string): void {
    const base = this.nextId;
    forEachNode(snippet, (n) => {
      if (n.kind !== 'Program') n.id += base;
    });
    this.nextId = base + snippet.nodeCount;
    this.sources.push({ from: base, to: this.nextId, text });
  }

  /** The source text of an expression as written, or its rebuilt form. */
  sourceOf(e: Expr): string {
    for (const s of this.sources) {
      if (e.id >= s.from && e.id < s.to) {
        const text = s.text.slice(e.range.start.offset, e.range.end.offset);
        if (text !== '') return text;
      }
    }
    return unparse(e);
  }
}
