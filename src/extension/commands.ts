/**
 * The extension's commands: Debug Scenario (F5 without launch.json, from the editor title),
 * Translate Address…, Show PTE for Address…, Trim Working Set, Run Modified Page Writer and
 * Toggle Hex/Decimal. Those that need the machine act on the stopped vmm session.
 */
import * as vscode from 'vscode';
import { CustomRequest, type PageWalkBody } from '../adapter/protocol';
import type { VmmSessionEvents } from './sessionEvents';

export function registerCommands(context: vscode.ExtensionContext, events: VmmSessionEvents): void {
  let hex = false;
  const stopped = (): vscode.DebugSession | undefined => {
    const s = events.stoppedSession;
    if (s === undefined) void vscode.window.showWarningMessage('VMM Lab: pause a scenario first (no stopped vmm debug session).');
    return s;
  };
  const askAddress = (title: string) =>
    vscode.window.showInputBox({ title, prompt: 'A virtual address of the current process, e.g. 0x1f0000 or 0xfffff680`00000e00', value: events.lastAddress, validateInput: (v) => (/^\s*(0x[0-9a-f`_]+|\d+)\s*$/i.test(v) ? undefined : 'enter a number or a 0x… address') });
  const walk = async (session: vscode.DebugSession, address: string): Promise<PageWalkBody> =>
    (await session.customRequest(CustomRequest.pageWalk, { address: address.replace(/[`_\s]/g, '') })) as PageWalkBody;

  context.subscriptions.push(
    vscode.commands.registerCommand('vmmLab.debugScenario', async (uri?: vscode.Uri) => {
      const target = uri ?? vscode.window.activeTextEditor?.document.uri;
      if (target === undefined) return vscode.window.showWarningMessage('Open a .vmm scenario first.');
      return vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(target), { type: 'vmm', request: 'launch', name: 'Debug scenario', program: target.fsPath, stopOnEntry: true });
    }),
    vscode.commands.registerCommand('vmmLab.translateAddress', async () => {
      const s = stopped();
      if (s === undefined) return;
      const a = await askAddress('Translate Address');
      if (a === undefined) return;
      try {
        const w = await walk(s, a);
        events.selectAddress(w.address);
        void vscode.window.showInformationMessage(w.resident ? `${w.address} → ${w.physicalAddress}` : `${w.address}: not resident — ${w.reason}`);
      } catch (e) {
        void vscode.window.showErrorMessage(`VMM Lab: ${(e as Error).message}`);
      }
    }),
    vscode.commands.registerCommand('vmmLab.showPte', async () => {
      const s = stopped();
      if (s === undefined) return;
      const a = await askAddress('Show PTE for Address');
      if (a === undefined) return;
      try {
        const w = await walk(s, a);
        events.selectAddress(w.address);
        const pte = w.levels[3];
        void vscode.window.showInformationMessage(`PTE of ${w.address} at ${pte.address}: ${pte.summary}`);
        await vscode.commands.executeCommand('vmmLab.pageWalk.focus').then(undefined, () => undefined);
      } catch (e) {
        void vscode.window.showErrorMessage(`VMM Lab: ${(e as Error).message}`);
      }
    }),
    vscode.commands.registerCommand('vmmLab.trimWorkingSet', async () => {
      const s = stopped();
      if (s === undefined) return;
      try {
        await s.customRequest(CustomRequest.trimWorkingSet);
      } catch (e) {
        void vscode.window.showErrorMessage(`VMM Lab: ${(e as Error).message}`);
      }
    }),
    vscode.commands.registerCommand('vmmLab.runModifiedPageWriter', async () => {
      const s = stopped();
      if (s === undefined) return;
      try {
        await s.customRequest(CustomRequest.runModifiedPageWriter);
      } catch (e) {
        void vscode.window.showErrorMessage(`VMM Lab: ${(e as Error).message}`);
      }
    }),
    vscode.commands.registerCommand('vmmLab.toggleHex', async () => {
      hex = !hex;
      const s = events.session;
      if (s !== undefined) await s.customRequest(CustomRequest.setFormat, { hex });
    }),
  );
}
