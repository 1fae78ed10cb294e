/**
 * The one TreeDataProvider behind the five VMM Lab views: it asks a ViewSpec for its rows when a
 * vmm session stops, renders ViewNodes as TreeItems, and keeps the last rows while the session
 * runs. Refreshes fire onDidChangeTreeData(undefined) and rows keep their content-derived ids, so
 * what the user expanded stays expanded; rows whose text changed since the previous stop are
 * highlighted.
 */
import * as vscode from 'vscode';
import type { VmmSessionEvents } from '../sessionEvents';
import { errorText, type ViewNode, type ViewResult, type ViewSpec } from './model';

export class VmmTreeProvider implements vscode.TreeDataProvider<ViewNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ViewNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private view: vscode.TreeView<ViewNode> | undefined;
  private session: vscode.DebugSession | undefined;
  private result: ViewResult | undefined;
  private error: string | undefined;
  private selected: ViewNode | undefined;
  /** Rows (id → text) of the previous load, and the ids whose text differs in this one. */
  private previous = new Map<string, string>();
  private changedIds = new Set<string>();
  /** Refresh requests (gen) and the last one loaded; loads run one after another on `chain`. */
  private gen = 1;
  private loadedGen = 0;
  private chain: Promise<void> = Promise.resolve();
  private fireTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly spec: ViewSpec,
    private readonly events: VmmSessionEvents,
  ) {}

  attach(view: vscode.TreeView<ViewNode>): vscode.Disposable {
    this.view = view;
    this.applyMessage();
    return view.onDidChangeSelection((e) => this.select(e.selection[0]));
  }

  /** The session stopped (or the data this view depends on changed): reload when next shown. */
  refresh(session?: vscode.DebugSession): void {
    if (session !== undefined) {
      if (this.session !== undefined && this.session.id !== session.id) this.forgetRows();
      this.session = session;
    }
    this.gen++;
    this.fireSoon();
  }

  /** The session ended: drop its rows. */
  end(session: vscode.DebugSession): void {
    if (this.session !== undefined && this.session.id !== session.id) return;
    this.session = undefined;
    this.result = undefined;
    this.error = undefined;
    this.selected = undefined;
    this.forgetRows();
    this.gen++;
    this.fireSoon();
  }

  getTreeItem(n: ViewNode): vscode.TreeItem {
    const hasChildren = (n.children !== undefined && n.children.length > 0) || n.load !== undefined;
    const state = !hasChildren ? vscode.TreeItemCollapsibleState.None : n.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
    const label: vscode.TreeItemLabel | string = this.changedIds.has(n.id) ? { label: n.label, highlights: [[0, n.label.length]] } : n.label;
    const item = new vscode.TreeItem(label, state);
    item.id = n.id;
    item.description = n.description;
    item.tooltip = n.tooltip;
    item.contextValue = n.contextValue;
    if (n.icon) item.iconPath = new vscode.ThemeIcon(n.icon.id, n.icon.color ? new vscode.ThemeColor(n.icon.color) : undefined);
    return item;
  }

  async getChildren(n?: ViewNode): Promise<ViewNode[]> {
    if (n !== undefined) {
      if (n.children !== undefined) return n.children;
      if (n.load === undefined) return [];
      try {
        return await n.load();
      } catch (e) {
        return [{ id: `${n.id}:error`, label: errorText(e), icon: { id: 'error' } }];
      }
    }
    await this.ensureLoaded();
    return this.result?.nodes ?? [];
  }

  dispose(): void {
    if (this.fireTimer !== undefined) clearTimeout(this.fireTimer);
    this.changed.dispose();
  }

  // ---- loading --------------------------------------------------------------------------------

  private async ensureLoaded(): Promise<void> {
    const want = this.gen;
    while (this.loadedGen < want) {
      this.chain = this.chain.then(() => (this.loadedGen < this.gen ? this.load() : undefined));
      await this.chain;
    }
  }

  private async load(): Promise<void> {
    const gen = this.gen;
    const session = this.session ?? this.events.stoppedSession ?? this.events.session;
    try {
      if (session === undefined) {
        this.result = undefined;
        this.error = undefined;
        return;
      }
      this.session = session;
      const result = await this.spec.load({
        request: async (command, args) => session.customRequest(command, args),
        address: this.events.lastAddress,
      });
      this.noteChanges(result);
      this.result = result;
      this.error = undefined;
      if (this.selected !== undefined) this.selected = findNode(result.nodes, this.selected.id);
    } catch (e) {
      // While the session runs the last rows stay and the message says why; a request that
      // fails while stopped (e.g. an address with no walk) leaves no rows.
      this.error = errorText(e);
      if (this.events.stoppedSession !== undefined) this.result = undefined;
    } finally {
      this.loadedGen = Math.max(this.loadedGen, gen);
      this.applyMessage();
    }
  }

  private noteChanges(result: ViewResult): void {
    const now = new Map<string, string>();
    const walk = (nodes: ViewNode[]) => {
      for (const n of nodes) {
        now.set(n.id, `${n.label}\u0000${n.description ?? ''}`);
        if (n.children) walk(n.children);
      }
    };
    walk(result.nodes);
    this.changedIds = new Set();
    if (this.previous.size > 0) for (const [id, text] of now) if (this.previous.get(id) !== text) this.changedIds.add(id);
    this.previous = now;
  }

  private forgetRows(): void {
    this.previous = new Map();
    this.changedIds = new Set();
  }

  // ---- presentation ----------------------------------------------------------------------------

  private select(n: ViewNode | undefined): void {
    this.selected = n;
    if (n?.address !== undefined && this.spec.id !== 'vmmLab.pageWalk') this.events.selectAddress(n.address);
    this.applyMessage();
  }

  private applyMessage(): void {
    if (this.view === undefined) return;
    if (this.result === undefined) {
      this.view.message = this.error ?? (this.session === undefined && this.events.session === undefined ? this.spec.emptyMessage : undefined);
      this.view.description = undefined;
      return;
    }
    const detail = this.selected?.detail;
    this.view.message = this.error !== undefined ? `${this.error} (showing the last stop)` : (detail ?? this.result.message);
    this.view.description = this.result.description;
  }

  private fireSoon(): void {
    if (this.fireTimer !== undefined) return;
    this.fireTimer = setTimeout(() => {
      this.fireTimer = undefined;
      this.changed.fire(undefined);
    }, 30);
  }
}

function findNode(nodes: ViewNode[], id: string): ViewNode | undefined {
  for (const n of nodes) {
    if (n.id === id) return n;
    const c = n.children ? findNode(n.children, id) : undefined;
    if (c) return c;
  }
  return undefined;
}
