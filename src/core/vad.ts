// VAD tree: every process keeps one Virtual Address Descriptor per reserved range (or mapped view)
// of its user address space, in an AVL tree keyed by the first VPN. The fault handler asks it
// "which range holds this VPN?", the allocator walks it to find holes, and `!vad`-style dumps
// print it in order with each node's depth. The flag words are packed exactly like
// _MMVAD_SHORT.u.VadFlags and u5.VadFlags3 so that debugger views can show the real bits.

export type VadKind = 'private' | 'mapped' | 'image';

/** AVL balance factor: height(right) - height(left). Fits the 2-bit Balance field of the node. */
export type VadBalance = -1 | 0 | 1;

/**
 * Tree links. They belong to the VadTree that holds the VAD; users must treat them as read-only.
 * A VAD that is not in any tree has all links undefined and balance 0.
 */
export interface VadLinks {
  readonly parent: Vad | undefined;
  readonly left: Vad | undefined;
  readonly right: Vad | undefined;
  readonly balance: VadBalance;
}

export interface Vad extends VadLinks {
  /** First VPN of the range (VPN = VA / 4096). */
  startVpn: number;
  /** Last VPN of the range, inclusive. */
  endVpn: number;
  /** 5-bit MM protection code (4 = read/write, 1 = read-only, 0x18 bits = caching, ...). */
  protection: number;
  /** The Win32 PAGE_* value given when the range was reserved (VirtualQuery's AllocationProtect). */
  allocationProtect: number;
  /** Number of committed pages (the 51-bit CommitCharge field; -1 packs as all ones). */
  commitCharge: number;
  /** True when the range was reserved and committed by the same call. */
  memCommit: boolean;
  privateMemory: boolean;
  kind: VadKind;
  /** 0 = no preferred NUMA node, otherwise node + 1. */
  preferredNode: number;
  /** VPN where the allocation starts as VirtualQuery reports it; normally equal to startVpn. */
  allocationBase: number;
}

/** The tree's private, writable view of a VAD. Readonly properties are assignable to it. */
interface Node {
  parent: Node | undefined;
  left: Node | undefined;
  right: Node | undefined;
  balance: number;
  startVpn: number;
  endVpn: number;
}

/** Value of the 3-bit VadType field for image views (VadImageMap); other VADs use VadNone (0). */
export const VAD_TYPE_IMAGE_MAP = 2;

const COMMIT_CHARGE_BITS = 51;

function checkRange(startVpn: number, endVpn: number): void {
  if (!Number.isSafeInteger(startVpn) || !Number.isSafeInteger(endVpn) || startVpn < 0 || endVpn < startVpn) {
    throw new RangeError(`bad VAD range 0x${startVpn.toString(16)}-0x${endVpn.toString(16)}`);
  }
}

/** Builds a detached VAD. Defaults: private read/write, nothing committed, no preferred node. */
export function makeVad(init: Partial<Vad> & { startVpn: number; endVpn: number }): Vad {
  checkRange(init.startVpn, init.endVpn);
  const kind = init.kind ?? 'private';
  // Every VAD gets the same property order, so the fault-path lookups stay monomorphic.
  return {
    parent: undefined,
    left: undefined,
    right: undefined,
    balance: 0,
    startVpn: init.startVpn,
    endVpn: init.endVpn,
    protection: init.protection ?? 4,
    allocationProtect: init.allocationProtect ?? 0x04,
    commitCharge: init.commitCharge ?? 0,
    memCommit: init.memCommit ?? false,
    privateMemory: init.privateMemory ?? kind === 'private',
    kind,
    preferredNode: init.preferredNode ?? 0,
    allocationBase: init.allocationBase ?? init.startVpn,
  };
}

/**
 * Packs _MMVAD_FLAGS: CommitCharge bits 0-50, NoChange 51 (not modelled, 0), VadType 52-54,
 * MemCommit 55, Protection 56-60, PrivateMemory 63.
 */
export function vadFlagsWord(v: Vad): bigint {
  let w = BigInt.asUintN(COMMIT_CHARGE_BITS, BigInt(Math.trunc(v.commitCharge)));
  if (v.kind === 'image') w |= BigInt(VAD_TYPE_IMAGE_MAP) << 52n;
  if (v.memCommit) w |= 1n << 55n;
  w |= BigInt(v.protection & 0x1f) << 56n;
  if (v.privateMemory) w |= 1n << 63n;
  return w;
}

/** Packs _MMVAD_FLAGS3: PreferredNode bits 0-5 (the other fields are not modelled). */
export function vadFlags3Word(v: Vad): bigint {
  return BigInt(v.preferredNode & 0x3f);
}

/**
 * AVL tree of non-overlapping VADs ordered by startVpn. The VAD objects are the nodes, so a VAD
 * can be in at most one tree at a time.
 *
 * Editing a VAD in place: startVpn and endVpn of a VAD that is in the tree may be changed directly
 * as long as the range still lies strictly between its in-order neighbours (prev(v).endVpn <
 * start <= end < next(v).startVpn). Lookups compare only against the current bounds, so the tree
 * stays correct without rebalancing. `resize` does that check for you; anything else (moving a
 * range past a neighbour) needs remove + edit + insert.
 */
export class VadTree {
  private rootNode: Node | undefined = undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get root(): Vad | undefined {
    return this.rootNode as Vad | undefined;
  }

  /** Adds a detached VAD. Throws if it overlaps a VAD of the tree or is already linked. */
  insert(v: Vad): void {
    const n: Node = v;
    checkRange(n.startVpn, n.endVpn);
    if (n.parent !== undefined || n.left !== undefined || n.right !== undefined || n === this.rootNode) {
      throw new Error('VAD is already in a tree');
    }
    // The in-order neighbours of the new leaf are both on the search path, so checking every node
    // visited is enough to reject overlaps.
    let parent: Node | undefined = undefined;
    let cur = this.rootNode;
    let goLeft = false;
    while (cur !== undefined) {
      if (n.startVpn <= cur.endVpn && cur.startVpn <= n.endVpn) {
        throw new Error(
          `VAD 0x${n.startVpn.toString(16)}-0x${n.endVpn.toString(16)} overlaps ` +
            `0x${cur.startVpn.toString(16)}-0x${cur.endVpn.toString(16)}`,
        );
      }
      parent = cur;
      goLeft = n.startVpn < cur.startVpn;
      cur = goLeft ? cur.left : cur.right;
    }
    n.balance = 0;
    n.parent = parent;
    if (parent === undefined) this.rootNode = n;
    else if (goLeft) parent.left = n;
    else parent.right = n;
    this.count++;
    this.rebalanceAfterInsert(n);
  }

  /** Removes a VAD of this tree and detaches it. Throws if it is not in this tree. */
  remove(v: Vad): void {
    const n: Node = v;
    if (this.findContaining(n.startVpn) !== v) throw new Error('VAD is not in this tree');
    let retraceFrom: Node | undefined;
    let shrankLeft = false;
    if (n.left !== undefined && n.right !== undefined) {
      // Put the in-order successor s (leftmost of the right subtree) where n was.
      let s = n.right;
      while (s.left !== undefined) s = s.left;
      if (s.parent === n) {
        retraceFrom = s;
        shrankLeft = false;
      } else {
        const sp = s.parent!;
        sp.left = s.right;
        if (s.right !== undefined) s.right.parent = sp;
        s.right = n.right;
        n.right.parent = s;
        retraceFrom = sp;
        shrankLeft = true;
      }
      s.left = n.left;
      n.left.parent = s;
      s.balance = n.balance;
      this.replaceChild(n.parent, n, s);
    } else {
      const child = n.left ?? n.right;
      const p = n.parent;
      if (p !== undefined) shrankLeft = p.left === n;
      this.replaceChild(p, n, child);
      retraceFrom = p;
    }
    n.parent = n.left = n.right = undefined;
    n.balance = 0;
    this.count--;
    if (retraceFrom !== undefined) this.rebalanceAfterRemove(retraceFrom, shrankLeft);
  }

  /** The VAD whose range holds vpn. O(log n), allocates nothing: this is the fault-path lookup. */
  findContaining(vpn: number): Vad | undefined {
    let cur = this.rootNode;
    while (cur !== undefined) {
      if (vpn < cur.startVpn) cur = cur.left;
      else if (vpn > cur.endVpn) cur = cur.right;
      else return cur as Vad;
    }
    return undefined;
  }

  /** The lowest VAD overlapping [startVpn, endVpn] (inclusive), if any. */
  findOverlapping(startVpn: number, endVpn: number): Vad | undefined {
    const v = this.firstAtOrAfter(startVpn);
    return v !== undefined && v.startVpn <= endVpn ? v : undefined;
  }

  /** The lowest VAD with endVpn >= vpn: the one holding vpn, or else the first one above it. */
  firstAtOrAfter(vpn: number): Vad | undefined {
    let best: Node | undefined;
    let cur = this.rootNode;
    while (cur !== undefined) {
      if (cur.endVpn >= vpn) {
        best = cur;
        cur = cur.left;
      } else {
        cur = cur.right;
      }
    }
    return best as Vad | undefined;
  }

  /**
   * The highest VAD lying entirely below vpn (endVpn < vpn). It is always the in-order
   * predecessor of firstAtOrAfter(vpn); a VAD that holds vpn is not "before" it.
   */
  lastBefore(vpn: number): Vad | undefined {
    let best: Node | undefined;
    let cur = this.rootNode;
    while (cur !== undefined) {
      if (cur.endVpn < vpn) {
        best = cur;
        cur = cur.right;
      } else {
        cur = cur.left;
      }
    }
    return best as Vad | undefined;
  }

  /** The highest VAD with startVpn <= vpn (it may or may not hold vpn). */
  lastStartingAtOrBefore(vpn: number): Vad | undefined {
    let best: Node | undefined;
    let cur = this.rootNode;
    while (cur !== undefined) {
      if (cur.startVpn <= vpn) {
        best = cur;
        cur = cur.right;
      } else {
        cur = cur.left;
      }
    }
    return best as Vad | undefined;
  }

  /** Lowest VAD of the tree. */
  first(): Vad | undefined {
    let cur = this.rootNode;
    if (cur === undefined) return undefined;
    while (cur.left !== undefined) cur = cur.left;
    return cur as Vad;
  }

  /** Highest VAD of the tree. */
  last(): Vad | undefined {
    let cur = this.rootNode;
    if (cur === undefined) return undefined;
    while (cur.right !== undefined) cur = cur.right;
    return cur as Vad;
  }

  /** In-order successor of a VAD of this tree. */
  next(v: Vad): Vad | undefined {
    let n: Node = v;
    if (n.right !== undefined) {
      n = n.right;
      while (n.left !== undefined) n = n.left;
      return n as Vad;
    }
    let p = n.parent;
    while (p !== undefined && n === p.right) {
      n = p;
      p = p.parent;
    }
    return p as Vad | undefined;
  }

  /** In-order predecessor of a VAD of this tree. */
  prev(v: Vad): Vad | undefined {
    let n: Node = v;
    if (n.left !== undefined) {
      n = n.left;
      while (n.right !== undefined) n = n.right;
      return n as Vad;
    }
    let p = n.parent;
    while (p !== undefined && n === p.left) {
      n = p;
      p = p.parent;
    }
    return p as Vad | undefined;
  }

  /** VADs sorted by startVpn. Do not insert or remove while iterating. */
  *inOrder(): IterableIterator<Vad> {
    for (let v = this.first(); v !== undefined; v = this.next(v)) yield v;
  }

  /** Depth of a VAD of this tree; the root is level 0 (the level column of `!vad`). */
  level(v: Vad): number {
    let depth = 0;
    for (let p = v.parent; p !== undefined; p = p.parent) depth++;
    return depth;
  }

  /**
   * Changes the bounds of a VAD of this tree in place (e.g. after releasing its head or tail).
   * Throws, leaving the VAD untouched, if the new range would reach a neighbouring VAD.
   */
  resize(v: Vad, startVpn: number, endVpn: number): void {
    checkRange(startVpn, endVpn);
    if (this.findContaining(v.startVpn) !== v) throw new Error('VAD is not in this tree');
    const before = this.prev(v);
    const after = this.next(v);
    if ((before !== undefined && before.endVpn >= startVpn) || (after !== undefined && after.startVpn <= endVpn)) {
      throw new Error(`resizing to 0x${startVpn.toString(16)}-0x${endVpn.toString(16)} would overlap a neighbour`);
    }
    v.startVpn = startVpn;
    v.endVpn = endVpn;
  }

  /** Full structural check. Returns one message per problem; [] when the tree is sound. */
  checkInvariants(): string[] {
    const problems: string[] = [];
    const root = this.rootNode;
    if (root !== undefined && root.parent !== undefined) problems.push('root has a parent');
    let visited = 0;
    const hex = (x: number): string => '0x' + x.toString(16);
    const height = (n: Node | undefined, lo: number, hi: number): number => {
      if (n === undefined) return 0;
      visited++;
      const where = `VAD ${hex(n.startVpn)}-${hex(n.endVpn)}`;
      if (!Number.isSafeInteger(n.startVpn) || !Number.isSafeInteger(n.endVpn) || n.startVpn < 0 || n.endVpn < n.startVpn) {
        problems.push(`${where}: bad range`);
      }
      if (n.startVpn < lo || n.endVpn > hi) problems.push(`${where}: out of order or overlapping (allowed ${hex(lo)}-${hex(hi)})`);
      if (n.left !== undefined && n.left.parent !== n) problems.push(`${where}: left child's parent link is wrong`);
      if (n.right !== undefined && n.right.parent !== n) problems.push(`${where}: right child's parent link is wrong`);
      const hl = height(n.left, lo, n.startVpn - 1);
      const hr = height(n.right, n.endVpn + 1, hi);
      const bal = hr - hl;
      if (bal < -1 || bal > 1) problems.push(`${where}: AVL violated (height right - left = ${bal})`);
      if (n.balance !== bal) problems.push(`${where}: balance field ${n.balance} but subtrees give ${bal}`);
      return 1 + Math.max(hl, hr);
    };
    height(root, 0, Number.MAX_SAFE_INTEGER);
    if (visited !== this.count) problems.push(`size is ${this.count} but ${visited} nodes are reachable`);
    return problems;
  }

  // ---- AVL machinery ----

  private replaceChild(parent: Node | undefined, oldChild: Node, newChild: Node | undefined): void {
    if (newChild !== undefined) newChild.parent = parent;
    if (parent === undefined) this.rootNode = newChild;
    else if (parent.left === oldChild) parent.left = newChild;
    else parent.right = newChild;
  }

  /** Left rotation around x; returns the new subtree root. Balances follow from the heights. */
  private rotateLeft(x: Node): Node {
    const y = x.right!;
    x.right = y.left;
    if (y.left !== undefined) y.left.parent = x;
    this.replaceChild(x.parent, x, y);
    y.left = x;
    x.parent = y;
    x.balance = x.balance - 1 - Math.max(y.balance, 0);
    y.balance = y.balance - 1 + Math.min(x.balance, 0);
    return y;
  }

  /** Right rotation around x; returns the new subtree root. */
  private rotateRight(x: Node): Node {
    const y = x.left!;
    x.left = y.right;
    if (y.right !== undefined) y.right.parent = x;
    this.replaceChild(x.parent, x, y);
    y.right = x;
    x.parent = y;
    x.balance = x.balance + 1 - Math.min(y.balance, 0);
    y.balance = y.balance + 1 + Math.max(x.balance, 0);
    return y;
  }

  private rebalanceAfterInsert(n: Node): void {
    let child = n;
    let p = n.parent;
    while (p !== undefined) {
      if (child === p.left) {
        if (p.balance === 1) {
          p.balance = 0;
          return;
        }
        if (p.balance === 0) {
          p.balance = -1;
        } else {
          // p becomes left-heavy by 2: one rotation restores the old subtree height. The
          // rotation formulas need the true balance, so record the -2 first.
          p.balance = -2;
          if (child.balance === 1) this.rotateLeft(child);
          this.rotateRight(p);
          return;
        }
      } else {
        if (p.balance === -1) {
          p.balance = 0;
          return;
        }
        if (p.balance === 0) {
          p.balance = 1;
        } else {
          p.balance = 2;
          if (child.balance === -1) this.rotateRight(child);
          this.rotateLeft(p);
          return;
        }
      }
      child = p;
      p = p.parent;
    }
  }

  /** `p`'s left (or right) subtree just got one level shorter; walk up fixing balances. */
  private rebalanceAfterRemove(start: Node, startShrankLeft: boolean): void {
    let p: Node = start;
    let shrankLeft = startShrankLeft;
    for (;;) {
      p.balance += shrankLeft ? 1 : -1;
      if (p.balance === 1 || p.balance === -1) return; // height unchanged
      if (p.balance === 2) {
        const r = p.right!;
        const rb = r.balance;
        if (rb < 0) this.rotateRight(r);
        p = this.rotateLeft(p);
        if (rb === 0) return; // single rotation over a balanced child keeps the height
      } else if (p.balance === -2) {
        const l = p.left!;
        const lb = l.balance;
        if (lb > 0) this.rotateLeft(l);
        p = this.rotateRight(p);
        if (lb === 0) return;
      }
      // The subtree rooted at p is one level shorter than before: continue upwards.
      const parent = p.parent;
      if (parent === undefined) return;
      shrankLeft = parent.left === p;
      p = parent;
    }
  }
}
