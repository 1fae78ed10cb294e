/**
 * One place that knows when a `vmm` debug session stops, continues or ends, and which address
 * the user last hovered or selected, so that views, the status bar and the memory map refresh
 * from the same signals. It listens to the adapter's messages with a DebugAdapterTracker.
 */
import * as vscode from 'vscode';

export class VmmSessionEvents implements vscode.Disposable {
  private readonly stopEmitter = new vscode.EventEmitter<vscode.DebugSession>();
  private readonly continueEmitter = new vscode.EventEmitter<vscode.DebugSession>();
  private readonly endEmitter = new vscode.EventEmitter<vscode.DebugSession>();
  private readonly addressEmitter = new vscode.EventEmitter<string>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Stopped vmm sessions by id. */
  private readonly stopped = new Set<string>();
  lastAddress: string | undefined;

  /** A vmm session stopped (or its views were invalidated while stopped). */
  readonly onDidStop = this.stopEmitter.event;
  readonly onDidContinue = this.continueEmitter.event;
  readonly onDidEnd = this.endEmitter.event;
  /** The address to show in the Page Walk view changed. */
  readonly onDidSelectAddress = this.addressEmitter.event;

  constructor() {
    this.disposables.push(
      vscode.debug.registerDebugAdapterTrackerFactory('vmm', {
        createDebugAdapterTracker: (session) => ({
          onDidSendMessage: (m: { type?: string; event?: string }) => {
            if (m.type !== 'event') return;
            if (m.event === 'stopped') {
              this.stopped.add(session.id);
              this.stopEmitter.fire(session);
            } else if (m.event === 'continued') {
              this.stopped.delete(session.id);
              this.continueEmitter.fire(session);
            } else if (m.event === 'invalidated' && this.stopped.has(session.id)) {
              this.stopEmitter.fire(session);
            }
          },
          onWillReceiveMessage: (m: { type?: string; command?: string }) => {
            if (m.type === 'request' && ['continue', 'next', 'stepIn', 'stepOut', 'restart'].includes(m.command ?? '')) {
              this.stopped.delete(session.id);
              this.continueEmitter.fire(session);
            }
          },
          onExit: () => this.end(session),
        }),
      }),
      vscode.debug.onDidTerminateDebugSession((s) => {
        if (s.type === 'vmm') this.end(s);
      }),
    );
  }

  private end(session: vscode.DebugSession): void {
    this.stopped.delete(session.id);
    this.endEmitter.fire(session);
  }

  /** The active vmm session, if any. */
  get session(): vscode.DebugSession | undefined {
    const s = vscode.debug.activeDebugSession;
    return s?.type === 'vmm' ? s : undefined;
  }

  /** The active vmm session when it is stopped. */
  get stoppedSession(): vscode.DebugSession | undefined {
    const s = this.session;
    return s !== undefined && this.stopped.has(s.id) ? s : undefined;
  }

  selectAddress(address: string): void {
    this.lastAddress = address;
    this.addressEmitter.fire(address);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.stopEmitter.dispose();
    this.continueEmitter.dispose();
    this.endEmitter.dispose();
    this.addressEmitter.dispose();
  }
}
