/**
 * VS Code entry point of VMM Lab. This is the only layer that imports the VS Code API: it wires
 * the debug adapter (inline by default), the configuration provider, the .vmm language features,
 * the views, the memory map, the status bar and the commands.
 */
import * as vscode from 'vscode';
import { VmmDebugSession } from '../adapter/session';
import { registerCommands } from './commands';
import { InlineAdapterFactory, VmmConfigurationProvider } from './configurationProvider';
import { registerDiagnostics } from './diagnostics';
import { registerLanguageProviders } from './languageProviders';
import { VmmSessionEvents } from './sessionEvents';
import { registerStatusBar } from './statusBar';
import { registerOptionalUi } from './optionalUi';

export function activate(context: vscode.ExtensionContext): void {
  const events = new VmmSessionEvents();
  context.subscriptions.push(
    events,
    vscode.debug.registerDebugConfigurationProvider('vmm', new VmmConfigurationProvider()),
    vscode.debug.registerDebugConfigurationProvider('vmm', new VmmConfigurationProvider(), vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    vscode.debug.registerDebugAdapterDescriptorFactory('vmm', new InlineAdapterFactory(() => new VmmDebugSession() as unknown as vscode.DebugAdapter)),
  );
  registerDiagnostics(context);
  registerLanguageProviders(context, events);
  registerStatusBar(context, events);
  registerCommands(context, events);
  registerOptionalUi(context, events);
}

export function deactivate(): void {
  // everything is disposed through context.subscriptions
}
