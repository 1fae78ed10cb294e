/**
 * "VMM Lab: Show Physical Memory Map": a webview with one cell per page frame (or per group of
 * frames on big machines: the adapter aggregates to MEMORY_MAP_CELLS cells), coloured by list or
 * state with the theme's chart colours, refreshed at every stop. Clicking a cell shows the
 * _MMPFN of its first frame beside the map. The page itself is media/memoryMap.js and .css; its
 * Content Security Policy allows only those files and one nonce'd script.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { CustomRequest, type MemoryMapBody, type PfnEntryBody } from '../adapter/protocol';
import type { VmmSessionEvents } from './sessionEvents';
import { errorText } from './views/model';
import { MEMORY_MAP_CELLS, cellFrames, isFromWebview, makeNonce, memoryMapHtml, type ToWebview } from './views/memoryMapModel';

export const SHOW_MEMORY_MAP_COMMAND = 'vmmLab.showMemoryMap';
const VIEW_TYPE = 'vmmLab.memoryMap';

export function registerMemoryMap(context: vscode.ExtensionContext, events: VmmSessionEvents): void {
  let panel: MemoryMapPanel | undefined;
  context.subscriptions.push(
    vscode.commands.registerCommand(SHOW_MEMORY_MAP_COMMAND, () => {
      if (panel !== undefined) panel.reveal();
      else panel = new MemoryMapPanel(context.extensionUri, events, () => (panel = undefined));
    }),
    events.onDidStop((s) => void panel?.update(s)),
    events.onDidEnd((s) => panel?.ended(s)),
    { dispose: () => panel?.dispose() },
  );
}

class MemoryMapPanel {
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private session: vscode.DebugSession | undefined;
  private map: MemoryMapBody | undefined;
  private selectedCell: number | undefined;
  private stops = 0;
  /** What the page shows, replayed when it (re)loads ("ready"). */
  private lastMap: ToWebview | undefined;
  private lastPfn: ToWebview | undefined;
  private lastStatus: ToWebview | undefined;
  private disposed = false;

  constructor(
    extensionUri: vscode.Uri,
    private readonly events: VmmSessionEvents,
    private readonly onDispose: () => void,
  ) {
    const media = vscode.Uri.joinPath(extensionUri, 'media');
    this.panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'Physical Memory Map', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [media],
    });
    const w = this.panel.webview;
    w.html = memoryMapHtml({
      cspSource: w.cspSource,
      nonce: makeNonce((n) => randomBytes(n)),
      scriptUri: w.asWebviewUri(vscode.Uri.joinPath(media, 'memoryMap.js')).toString(),
      styleUri: w.asWebviewUri(vscode.Uri.joinPath(media, 'memoryMap.css')).toString(),
    });
    this.disposables.push(
      w.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      this.panel.onDidDispose(() => this.dispose()),
    );
    const s = events.stoppedSession ?? events.session;
    if (s !== undefined) void this.update(s);
    else this.status('No VMM session: start debugging a .vmm scenario, then pause it.');
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  /** A stop: fetch the map (and the selected frame) again. */
  async update(session: vscode.DebugSession): Promise<void> {
    this.session = session;
    const stop = ++this.stops;
    try {
      const body = (await session.customRequest(CustomRequest.memoryMap, { cells: MEMORY_MAP_CELLS })) as MemoryMapBody;
      if (stop !== this.stops || this.disposed) return;
      this.map = body;
      this.lastStatus = undefined;
      this.post((this.lastMap = { type: 'map', body, stop }));
      if (this.selectedCell !== undefined) await this.showCell(this.selectedCell);
    } catch (e) {
      if (stop === this.stops) this.status(`Cannot read the memory map: ${errorText(e)}`);
    }
  }

  ended(session: vscode.DebugSession): void {
    if (this.session !== undefined && this.session.id !== session.id) return;
    this.session = undefined;
    this.status('The VMM session ended: the map shows its last stop.');
  }

  private status(message: string): void {
    this.post((this.lastStatus = { type: 'status', message }));
  }

  private onMessage(m: unknown): void {
    if (!isFromWebview(m)) return;
    if (m.type === 'ready') {
      for (const msg of [this.lastMap, this.lastPfn, this.lastStatus]) if (msg !== undefined) this.post(msg);
      return;
    }
    this.selectedCell = m.cell;
    void this.showCell(m.cell);
  }

  private async showCell(cell: number): Promise<void> {
    const map = this.map;
    const session = this.session ?? this.events.stoppedSession ?? this.events.session;
    if (map === undefined || session === undefined) return;
    const frames = cellFrames(cell, map.pagesPerCell, map.totalPages);
    if (frames === undefined) return;
    try {
      const body = (await session.customRequest(CustomRequest.pfnEntry, { pfn: frames.first })) as PfnEntryBody;
      if (this.selectedCell !== cell) return;
      this.post((this.lastPfn = { type: 'pfn', cell, first: frames.first, last: frames.last, body }));
    } catch (e) {
      this.post({ type: 'pfnError', cell, message: errorText(e) });
    }
  }

  private post(m: ToWebview): void {
    if (!this.disposed) void this.panel.webview.postMessage(m);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
    this.onDispose();
  }
}
