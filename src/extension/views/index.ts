/**
 * Registers the five tree views of the Run and Debug container (package.json
 * contributes.views.debug) and the Page Walk's "Enter Address…" command. Every view refreshes
 * when a vmm session stops, keeps its rows while the session runs, and empties when it ends.
 */
import * as vscode from 'vscode';
import type { VmmSessionEvents } from '../sessionEvents';
import { addressSpaceView } from './addressSpace';
import { faultLogView } from './faultLog';
import { hoveredAddress, pageWalkView, parseAddressInput, validateAddressInput } from './pageWalk';
import { VIEW_SPECS } from './specs';
import { VmmTreeProvider } from './treeProvider';

export const ENTER_ADDRESS_COMMAND = 'vmmLab.pageWalk.enterAddress';

export function registerViews(context: vscode.ExtensionContext, events: VmmSessionEvents): void {
  const providers = new Map<string, VmmTreeProvider>();
  for (const spec of VIEW_SPECS) {
    const provider = new VmmTreeProvider(spec, events);
    const view = vscode.window.createTreeView(spec.id, {
      treeDataProvider: provider,
      showCollapseAll: spec.id === addressSpaceView.id || spec.id === faultLogView.id,
    });
    context.subscriptions.push(provider, view, provider.attach(view));
    providers.set(spec.id, provider);
  }
  const all = [...providers.values()];
  const pageWalk = providers.get(pageWalkView.id)!;

  context.subscriptions.push(
    events.onDidStop((s) => {
      if (isActive(s)) for (const p of all) p.refresh(s);
    }),
    events.onDidEnd((s) => {
      for (const p of all) p.end(s);
    }),
    events.onDidSelectAddress(() => pageWalk.refresh()),
    // The debug hover of an address (the adapter answers an `evaluate` in the hover context with
    // the VA's memory reference) also selects it for the Page Walk.
    vscode.debug.registerDebugAdapterTrackerFactory('vmm', {
      createDebugAdapterTracker: () => {
        const hovers = new Set<number>();
        return {
          onWillReceiveMessage: (m: { type?: string; seq?: number; command?: string; arguments?: { context?: string } }) => {
            if (m.type === 'request' && m.command === 'evaluate' && m.arguments?.context === 'hover' && m.seq !== undefined) hovers.add(m.seq);
          },
          onDidSendMessage: (m: { type?: string; request_seq?: number; success?: boolean; body?: { memoryReference?: string } }) => {
            if (m.type !== 'response' || m.request_seq === undefined || !hovers.delete(m.request_seq) || !m.success) return;
            const address = hoveredAddress(m.body?.memoryReference);
            if (address !== undefined && address !== events.lastAddress) events.selectAddress(address);
          },
        };
      },
    }),
    vscode.debug.onDidChangeActiveDebugSession((s) => {
      if (s?.type === 'vmm') for (const p of all) p.refresh(s);
    }),
    vscode.commands.registerCommand(ENTER_ADDRESS_COMMAND, async (address?: unknown) => {
      let text = typeof address === 'string' ? address : undefined;
      text ??= await vscode.window.showInputBox({
        title: 'Page Walk',
        prompt: 'Virtual address to walk (hex with 0x, or decimal)',
        placeHolder: '0x10000',
        value: events.lastAddress,
        validateInput: validateAddressInput,
      });
      if (text === undefined) return;
      const parsed = parseAddressInput(text);
      if (parsed === undefined || validateAddressInput(text) !== undefined) {
        void vscode.window.showErrorMessage(`VMM Lab: '${text}' is not a user-mode virtual address.`);
        return;
      }
      events.selectAddress(parsed);
      await vscode.commands.executeCommand(`${pageWalkView.id}.focus`);
    }),
  );
}

/** A stop of the active session, or of the only vmm session there is. */
function isActive(s: vscode.DebugSession): boolean {
  const active = vscode.debug.activeDebugSession;
  return active === undefined || active.id === s.id || active.type !== 'vmm';
}
