/**
 * Debug configurations for `vmm`: the initial launch.json entry, and resolving a launch with no
 * launch.json (F5 on an open .vmm file) into "debug this file, stop on entry".
 */
import * as vscode from 'vscode';

export class VmmConfigurationProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [{ type: 'vmm', request: 'launch', name: 'Debug scenario', program: '${file}', stopOnEntry: true }];
  }

  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.ProviderResult<vscode.DebugConfiguration> {
    if (!config.type && !config.request && !config.name) {
      const editor = vscode.window.activeTextEditor;
      if (editor !== undefined && editor.document.languageId === 'vmm') {
        config.type = 'vmm';
        config.name = 'Debug scenario';
        config.request = 'launch';
        config.program = '${file}';
        config.stopOnEntry = true;
      }
    }
    if (!config.program) {
      return vscode.window.showInformationMessage('Open a .vmm scenario to debug it (or set "program" in launch.json).').then(() => undefined);
    }
    return config;
  }
}

/** Runs the adapter inside the extension host (the default): no extra process, instant start. */
export class InlineAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly makeSession: () => vscode.DebugAdapter) {}
  createDebugAdapterDescriptor(): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    return new vscode.DebugAdapterInlineImplementation(this.makeSession());
  }
}
