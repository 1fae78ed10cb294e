// The UI test harness: real VS Code (code-server, installed by test/e2e/setup.sh) driven by
// Debian's chromium through playwright-core. A harness is one code-server with a fresh user-data
// and extensions directory, the packaged extension (vmm-lab.vsix) installed into it, and its own
// browser; the runner reuses it for consecutive journeys (reset() in between) and close() ends
// exactly the processes it started. The workspace's files are read-only in this VS Code
// (files.readonlyInclude) so that no journey can change the samples on disk.
//
// Why code-server and not @vscode/test-electron: nothing but the npm registry and Debian's
// packages can be reached here, and code-server is the only VS Code build on npm
// (shared/reference/notes/anchors-dap.md §11). The DOM selectors used below are VS Code's own
// (workbench 1.100); they are collected in SELECTORS so a VS Code update is fixed in one place.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, createWriteStream, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

// Browser-side helpers (plain JavaScript: the project's TypeScript has no DOM library).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pageScripts = require('./pageScripts.js') as Record<string, (args: unknown) => unknown>;

export const SELECTORS = {
  workbench: '.monaco-workbench',
  quickInput: '.quick-input-widget',
  quickInputBox: '.quick-input-widget .quick-input-box input',
  quickInputRows: '.quick-input-widget .monaco-list-row',
  editorTab: '.tabs-container .tab',
  activeEditor: '.editor-group-container.active .monaco-editor',
  viewLines: '.view-lines',
  statusBar: '.part.statusbar',
  languageStatus: '[id="status.editor.mode"]',
  variables: '.debug-variables',
  callStack: '.debug-call-stack',
  debugHover: '.debug-hover-widget',
  hover: '.monaco-hover:not(.hidden)',
  tokenInspector: '.token-inspect-widget',
  notifications: '.notifications-toasts',
  paneHeader: '.pane-header',
  pane: '.pane',
  variableRows: '.debug-variables .monaco-list-row',
  callStackRows: '.debug-call-stack .monaco-list-row',
  breakpoints: '.debug-breakpoints',
  debugToolbar: '.debug-toolbar',
  contextMenu: '.context-view .monaco-menu',
  contextMenuItem: '.context-view .monaco-menu .action-label',
  cursorPosition: '[id="status.editor.selection"]',
  treeRows: '.monaco-list-row',
  webview: 'iframe.webview',
} as const;

/** The side-bar panes of Run and Debug, expanded as VS Code first shows them (reset() restores this). */
export const DEFAULT_DEBUG_PANES: Record<string, boolean> = {
  Variables: true,
  Watch: true,
  'Call Stack': true,
  Breakpoints: true,
  'Address Space': false,
  'Working Set': false,
  'Physical Memory': false,
  'Page Walk': false,
  'Fault Log': false,
};

/** Flags for Debian's chromium that are known to work on these machines (§11.3). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Seeded into <user-data-dir>/User/settings.json before code-server starts (§11.2). */
const BASE_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.experimentalOnboarding': false,
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'debug.internalConsoleOptions': 'neverOpen',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'workbench.colorTheme': 'Default Dark Modern',
  'editor.minimap.enabled': false,
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
  // The journeys open the repository's own samples: never let a stray key change them on disk.
  'files.readonlyInclude': { '**/*': true },
  'files.autoSave': 'off',
  'debug.saveBeforeStart': 'none',
};

export interface HarnessOptions {
  /** Journey name: names the artifacts folder and the temporary directory. */
  name: string;
  /** Absolute path of the folder to open. */
  folder: string;
  /** Absolute path of the .vsix to install. */
  vsix: string;
  /** code-server launcher (from setup.sh). */
  codeServer: string;
  /** Chromium binary (from setup.sh). */
  chromiumPath: string;
  /** Where screenshots and logs go (test/e2e/artifacts/<name>). */
  artifactsDir: string;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** Keep the temporary directory after close() (for debugging the harness). */
  keepTemp?: boolean;
}

/** Which appearance of a token: the n-th (from 0) on the visible lines matching `line`. */
export interface TokenWhere {
  line?: RegExp;
  occurrence?: number;
}

export interface TokenBox {
  /** Centre of the token's text, in page coordinates. */
  x: number;
  y: number;
  /** Left edge of the token's text. */
  left: number;
  /** Class of the token span (Monaco's `mtk<N>` colour classes) and its computed colour. */
  className: string;
  color: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Harness {
  readonly page: Page;
  /** Where screenshot() writes; the runner points it at each journey's folder (useArtifactsDir). */
  artifactsDir: string;
  readonly baseUrl: string;
  private readonly browser: Browser;
  private readonly server: ChildProcess;
  private readonly tempDir: string;
  private readonly logFile: string;
  private readonly keepTemp: boolean;
  private closed = false;

  private constructor(init: { page: Page; browser: Browser; server: ChildProcess; tempDir: string; logFile: string; baseUrl: string; artifactsDir: string; keepTemp: boolean }) {
    this.page = init.page;
    this.browser = init.browser;
    this.server = init.server;
    this.tempDir = init.tempDir;
    this.logFile = init.logFile;
    this.baseUrl = init.baseUrl;
    this.artifactsDir = init.artifactsDir;
    this.keepTemp = init.keepTemp;
  }

  /** Starts code-server with the extension installed, opens the folder in chromium. */
  static async start(o: HarnessOptions): Promise<Harness> {
    mkdirSync(o.artifactsDir, { recursive: true });
    const tempDir = mkdtempSync(join(tmpdir(), `vmm-e2e-${o.name.replace(/[^A-Za-z0-9_-]/g, '_')}-`));
    const dataDir = join(tempDir, 'data');
    const extDir = join(tempDir, 'extensions');
    const configFile = join(tempDir, 'config.yaml');
    mkdirSync(join(dataDir, 'User'), { recursive: true });
    mkdirSync(extDir, { recursive: true });
    writeFileSync(join(dataDir, 'User', 'settings.json'), JSON.stringify({ ...BASE_SETTINGS, ...o.settings }, null, 2));
    writeFileSync(configFile, 'auth: none\ncert: false\n');
    // code-server (logs, a default config) and chromium (crash reports) write under XDG_* otherwise:
    // the user's home.
    const env = {
      ...process.env,
      XDG_CONFIG_HOME: join(tempDir, 'xdg-config'),
      XDG_DATA_HOME: join(tempDir, 'xdg-data'),
      XDG_CACHE_HOME: join(tempDir, 'xdg-cache'),
    };
    const common = ['--config', configFile, '--user-data-dir', dataDir, '--extensions-dir', extDir];

    const install = spawnSync(o.codeServer, [...common, '--install-extension', o.vsix], { env, encoding: 'utf8', timeout: 120_000 });
    const installOut = `${install.stdout ?? ''}${install.stderr ?? ''}`;
    if (install.status !== 0 || !/successfully installed/i.test(installOut)) {
      rmSync(tempDir, { recursive: true, force: true });
      throw new Error(`installing ${o.vsix} failed (exit ${install.status}):\n${installOut}`);
    }

    const logFile = join(o.artifactsDir, 'code-server.log');
    const log = createWriteStream(logFile);
    const server = spawn(
      o.codeServer,
      [
        ...common,
        '--auth', 'none',
        '--bind-addr', '127.0.0.1:0',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--ignore-last-opened',
        o.folder,
      ],
      // Its own process group, so close() can end it and every helper it started, and nothing else.
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let harness: Harness | undefined;
    let browser: Browser | undefined;
    try {
      const baseUrl = await waitForServer(server, log);
      browser = await chromium.launch({ executablePath: o.chromiumPath, args: CHROMIUM_ARGS, headless: true, env });
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      harness = new Harness({ page, browser, server, tempDir, logFile, baseUrl, artifactsDir: o.artifactsDir, keepTemp: o.keepTemp ?? false });
      await page.goto(`${baseUrl}/?folder=${encodeURIComponent(o.folder)}`);
      await page.waitForSelector(SELECTORS.workbench, { timeout: 60_000 });
      // The workbench is there before its parts are restored; the status bar comes last.
      await page.waitForSelector(SELECTORS.statusBar, { timeout: 30_000 });
      return harness;
    } catch (e) {
      if (harness) await harness.close();
      else {
        await browser?.close().catch(() => undefined);
        killGroup(server);
        rmSync(tempDir, { recursive: true, force: true });
      }
      throw e;
    }
  }

  // --- actions -----------------------------------------------------------------------------

  /** Opens a file of the workspace with Quick Open (Ctrl+P) and waits for its tab. */
  async openFile(name: string): Promise<void> {
    const p = this.page;
    await this.focusWorkbench();
    await p.keyboard.press('Control+P');
    await this.typeInQuickInput(name);
    const base = name.split('/').pop()!;
    // Wait until the file search has put it first (before that, the first row is a recently
    // opened file) before accepting the focused row.
    await p.locator(`${SELECTORS.quickInputRows}.focused`).filter({ hasText: base }).first().waitFor({ timeout: 20_000 });
    await p.locator(SELECTORS.quickInputBox).press('Enter');
    await p.locator(SELECTORS.editorTab).filter({ hasText: base }).first().waitFor({ timeout: 20_000 });
    await p.locator(`${SELECTORS.activeEditor} ${SELECTORS.viewLines}`).first().waitFor();
  }

  /**
   * Types into the open quick input (palette, Quick Open, an input box). The text goes to the
   * input element itself, never to whatever has the focus — so a quick input that closes early
   * cannot leak keys into an editor.
   */
  async typeInQuickInput(text: string): Promise<void> {
    const box = this.page.locator(SELECTORS.quickInputBox);
    await box.waitFor({ state: 'visible' });
    await box.fill(text);
  }

  /** Runs a command by its title through the command palette (F1). */
  async runCommand(title: string): Promise<void> {
    const p = this.page;
    await this.focusWorkbench();
    await p.keyboard.press('F1');
    await this.typeInQuickInput(`>${title}`);
    const row = p.locator(`${SELECTORS.quickInputRows}.focused`).filter({ hasText: title }).first();
    await row.waitFor({ timeout: 10_000 });
    await p.locator(SELECTORS.quickInputBox).press('Enter');
  }

  /** Waits until the workbench's visible text matches `re`; returns the match. */
  async waitForText(re: RegExp, timeoutMs = 20_000, selector: string = SELECTORS.workbench): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      last = await this.page.locator(selector).first().innerText().catch(() => '');
      const m = last.match(re);
      if (m) return m;
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${re} in ${selector}; text was:\n${last.slice(0, 2000)}`);
      }
      await sleep(250);
    }
  }

  /** Saves a screenshot of the page as <artifactsDir>/<name>.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    const file = join(this.artifactsDir, `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** The text of the Variables view (e.g. "Locals\np = 0x…"). */
  async variablesText(): Promise<string> {
    return this.page.locator(SELECTORS.variables).first().innerText();
  }

  /** The text of the Call Stack view. */
  async callStackText(): Promise<string> {
    return this.page.locator(SELECTORS.callStack).first().innerText();
  }

  /** The text of the status bar. */
  async statusBarText(): Promise<string> {
    return this.page.locator(SELECTORS.statusBar).first().innerText();
  }

  /** The language mode the status bar shows for the active editor ("VMM"). */
  async languageMode(): Promise<string> {
    const el = this.page.locator(SELECTORS.languageStatus).first();
    await el.waitFor({ timeout: 10_000 });
    return (await el.innerText()).trim();
  }

  /**
   * Where `token` (a whole word: its `occurrence`-th appearance among the visible lines of the
   * active editor, counting only lines whose text matches `line` when given) is on the page: the
   * centre of its text, and the class and colour of the token span around it.
   */
  async locateToken(token: string, where: TokenWhere = {}): Promise<TokenBox> {
    const occurrence = where.occurrence ?? 0;
    const line = where.line ? { source: where.line.source, flags: where.line.flags } : null;
    const found = await this.page.evaluate(
      `(${pageScripts.locateToken})(${JSON.stringify({ token, occurrence, line, editorSel: SELECTORS.activeEditor, linesSel: SELECTORS.viewLines })})`,
    ) as TokenBox | null;
    if (!found) {
      throw new Error(`token '${token}' (occurrence ${occurrence}${where.line ? ` on a line matching ${where.line}` : ''}) is not on the visible lines of the active editor`);
    }
    return found;
  }

  /**
   * Waits until the colouring of the active editor's visible lines has settled (VS Code tokenizes
   * with TextMate asynchronously: a line may first be painted with a partial or no colouring).
   * Settled = the same token classes in three polls 250 ms apart.
   */
  async waitForTokens(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const args = JSON.stringify({ editorSel: SELECTORS.activeEditor, linesSel: SELECTORS.viewLines });
    let last = '';
    let same = 0;
    while (Date.now() < deadline) {
      const fp = (await this.page.evaluate(`(${pageScripts.tokenFingerprint})(${args})`)) as string;
      same = fp !== '' && fp === last ? same + 1 : 0;
      if (same >= 2) return;
      last = fp;
      await sleep(250);
    }
    throw new Error(`the editor's token colouring did not settle within ${timeoutMs} ms`);
  }

  /** Clicks in the middle of a token of the active editor (puts the cursor there). */
  async clickToken(token: string, where: TokenWhere = {}): Promise<void> {
    const { x, y } = await this.locateToken(token, where);
    await this.page.mouse.click(x, y);
  }

  /**
   * Hovers over a token of the active editor and returns the text of the hover that appears
   * (the debug hover while paused, else the editor hover). The mouse moves in steps to the
   * token's centre: VS Code ignores a pointer that jumps (§11.3).
   */
  async hover(token: string, where: TokenWhere = {}, timeoutMs = 10_000): Promise<string> {
    const widget = this.page.locator(`${SELECTORS.debugHover}, ${SELECTORS.hover}`).filter({ visible: true }).first();
    const deadline = Date.now() + timeoutMs;
    // VS Code sometimes ignores the first approach after a stop: move away and come back.
    for (let attempt = 0; ; attempt++) {
      const { x, y } = await this.locateToken(token, where);
      await this.page.mouse.move(x - 40, y + 30);
      await this.page.mouse.move(x, y, { steps: 8 });
      try {
        await widget.waitFor({ state: 'visible', timeout: Math.max(500, Math.min(3000, deadline - Date.now())) });
        await sleep(300); // the hover fills in after it appears
        const text = await widget.innerText({ timeout: 2000 });
        if (text.trim() !== '') return text;
      } catch (e) {
        if (Date.now() >= deadline) throw new Error(`no hover appeared over '${token}' within ${timeoutMs} ms (${attempt + 1} attempts): ${(e as Error).message.split('\n')[0]}`);
      }
      await this.page.mouse.move(x - 200, y + 200, { steps: 4 });
      await sleep(300);
    }
  }

  /**
   * The TextMate scopes of a token, read from "Developer: Inspect Editor Tokens and Scopes"
   * (e.g. ["storage.type.vmm", "source.vmm"], innermost first).
   */
  async tokenScopes(token: string, where: TokenWhere = {}): Promise<string[]> {
    // The cursor goes just before the token's first character: the inspector shows the token
    // that starts there.
    const { left, y } = await this.locateToken(token, where);
    await this.page.mouse.click(left + 1, y);
    await this.runCommand('Developer: Inspect Editor Tokens and Scopes');
    const widget = this.page.locator(SELECTORS.tokenInspector).first();
    await widget.waitFor({ state: 'visible', timeout: 10_000 });
    // The widget's text: "<token> <n> chars / language / standard token type / ... / textmate scopes <scopes...> / foreground ..."
    const text = await widget.innerText();
    await this.page.keyboard.press('Escape');
    const m = text.match(/textmate scopes\s*([\s\S]*?)(?:\n\s*foreground|\n\s*background|\n\s*font|$)/i);
    if (!m) throw new Error(`no textmate scopes in the token inspector:\n${text}`);
    return m[1]!.split(/\s+/).filter((s) => s.length > 0);
  }

  // --- debugging ---------------------------------------------------------------------------

  /** Runs a command by its title if the palette offers it (some are enabled only in some states); false if not. */
  async tryCommand(title: string, timeoutMs = 3000): Promise<boolean> {
    const p = this.page;
    await this.focusWorkbench();
    await p.keyboard.press('F1');
    await this.typeInQuickInput(`>${title}`);
    const row = p.locator(`${SELECTORS.quickInputRows}.focused`).filter({ hasText: title }).first();
    try {
      await row.waitFor({ timeout: timeoutMs });
    } catch {
      await p.keyboard.press('Escape');
      return false;
    }
    await p.locator(SELECTORS.quickInputBox).press('Enter');
    return true;
  }

  /** Opens a scenario and starts debugging it with F5; resolves when VS Code shows "Paused on entry". */
  async startDebugging(file: string): Promise<void> {
    await this.openFile(file);
    await this.page.keyboard.press('F5');
    await this.page.locator(SELECTORS.debugToolbar).filter({ visible: true }).first().waitFor({ timeout: 30_000 });
    // a previous journey in this VS Code may have collapsed panes: show them as VS Code first does
    await this.setPanes(DEFAULT_DEBUG_PANES);
    // "Paused on entry" is in the Call Stack pane's header
    await this.waitForText(/Paused on entry/i, 30_000);
  }

  /** Whether a debug session is running (the floating debug toolbar is shown). */
  async isDebugging(): Promise<boolean> {
    return (await this.page.locator(SELECTORS.debugToolbar).filter({ visible: true }).count()) > 0;
  }

  /**
   * What identifies the place the debugger shows: the call stack (when shown), the active
   * editor's tab and the cursor position (VS Code moves the cursor to the top frame on each stop).
   */
  async stopSignature(): Promise<string> {
    const p = this.page;
    const part = (sel: string) => p.locator(sel).first().innerText({ timeout: 1000 }).catch(() => '');
    return [await part(SELECTORS.callStack), await part('.tabs-container .tab.active'), await part(SELECTORS.cursorPosition)].join('\u0001');
  }

  /**
   * Presses a debug key (F5, F10, F11, Shift+F11) and waits until the debugger has stopped
   * somewhere else (see stopSignature; the same place for two polls, and the Call Stack no longer
   * says "Running") — or, with `until`, until the call stack matches it.
   */
  async debugKey(key: string, until?: RegExp, timeoutMs = 10_000): Promise<void> {
    const before = await this.stopSignature();
    await this.page.keyboard.press(key);
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      await sleep(100);
      const now = await this.stopSignature();
      const running = /\bRunning\b/i.test(await this.paneHeader('Call Stack').innerText({ timeout: 1000 }).catch(() => ''));
      const settled = !running && now === last;
      last = now;
      if (settled && (until ? until.test(now.split('\u0001')[0]!) : now !== before)) return;
      if (Date.now() > deadline) throw new Error(`after ${key}, the debugger did not ${until ? `show ${until} in the call stack` : 'stop elsewhere'} within ${timeoutMs} ms; call stack:\n${now.split('\u0001')[0]}`);
    }
  }

  /** The line:column the Call Stack shows for the top frame of the scenario (e.g. "12:1"), or the top frame's. */
  async topFrameLine(): Promise<{ line: number; col: number } | undefined> {
    const m = /(\d+):(\d+)/.exec(await this.callStackText().catch(() => ''));
    return m ? { line: Number(m[1]), col: Number(m[2]) } : undefined;
  }

  /** The line the active editor highlights as the current statement (the top stack frame), or undefined. */
  async editorStopLine(): Promise<number | undefined> {
    const n = (await this.page.evaluate(`(${pageScripts.stopLine})(${JSON.stringify({ editorSel: SELECTORS.activeEditor })})`)) as number | null;
    return n ?? undefined;
  }

  /** The cursor line the status bar shows ("Ln 12, Col 1" → 12). */
  async cursorLine(): Promise<number> {
    const t = await this.page.locator(SELECTORS.cursorPosition).first().innerText();
    const m = /Ln (\d+)/.exec(t);
    if (!m) throw new Error(`no line in the status bar's cursor position: ${t}`);
    return Number(m[1]);
  }

  /** Puts the cursor on a token of the active editor and toggles a breakpoint there (F9). */
  async toggleBreakpoint(token: string, where: TokenWhere): Promise<void> {
    await this.clickToken(token, where);
    await this.page.keyboard.press('F9');
  }

  /** Shows the Run and Debug side bar and expands or collapses its panes by title ("Watch": false). */
  async setPanes(state: Record<string, boolean>): Promise<void> {
    const variables = this.paneHeader('Variables');
    // VS Code shows Run and Debug by itself when a session starts; give it a moment before asking
    await variables.waitFor({ state: 'visible', timeout: 5000 }).catch(() => undefined);
    if (!(await variables.isVisible())) {
      await this.runCommand('View: Show Run and Debug');
      await variables.waitFor({ state: 'visible', timeout: 10_000 });
    }
    for (const [title, expanded] of Object.entries(state)) {
      const header = this.paneHeader(title);
      if ((await header.count()) === 0) continue; // a view hidden by its `when` clause
      if (((await header.getAttribute('aria-expanded')) === 'true') !== expanded) await header.click();
    }
  }

  /**
   * The header of a side-bar pane by its title. Its accessible name is "<title> Section", or
   * "<title> - <description> Section" when the view has a description.
   */
  paneHeader(title: string) {
    const h = SELECTORS.paneHeader;
    return this.page.locator(`${h}[aria-label=${JSON.stringify(`${title} Section`)} i], ${h}[aria-label^=${JSON.stringify(`${title} - `)} i]`).first();
  }

  /** A side-bar pane (header and body) by its title. */
  pane(title: string) {
    return this.page.locator(SELECTORS.pane).filter({ has: this.paneHeader(title) }).first();
  }

  /** Opens a tree view with "Focus on <title> View" and waits until it has at least one row. */
  async focusView(title: string, timeoutMs = 10_000): Promise<void> {
    await this.runCommand(`Focus on ${title} View`);
    await this.pane(title).locator(SELECTORS.treeRows).first().waitFor({ timeout: timeoutMs });
  }

  /**
   * The rows of a tree view (by its pane title), top to bottom, each as "<label> <description>"
   * (what the row shows, with a space between the two parts).
   */
  async viewRows(title: string): Promise<string[]> {
    const rows = await this.pageScript<string[] | null>('treeViewRows', { header: `${title} Section`, headerPrefix: `${title} - ` });
    if (rows === null) throw new Error(`no side-bar pane is titled ${title}`);
    return rows;
  }

  /** Waits until some row of a tree view matches `re`; returns that row's text. */
  async waitForViewRow(title: string, re: RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let rows: string[] = [];
    for (;;) {
      rows = await this.viewRows(title).catch((e: Error) => [`(${e.message})`]);
      const hit = rows.find((r) => re.test(r));
      if (hit !== undefined) return hit;
      if (Date.now() > deadline) throw new Error(`no row of the ${title} view matches ${re} within ${timeoutMs} ms; rows:\n${rows.join('\n')}`);
      await sleep(200);
    }
  }

  /** A row of a tree view by a regular expression on its label (the text before the description). */
  viewRow(title: string, label: RegExp) {
    return this.pane(title).locator(SELECTORS.treeRows).filter({ has: this.page.locator('.label-name', { hasText: label }) }).first();
  }

  /**
   * A row of the Variables view by the start of its accessible name ("PTE now, value …",
   * "Scope Locals"), optionally at a tree depth (aria-level, scopes are 1). Scrolls the view until
   * the row is rendered (the list is virtual).
   */
  async variableRow(labelStart: string, level?: number, timeoutMs = 10_000) {
    const p = this.page;
    const sel = `${SELECTORS.variableRows}${level !== undefined ? `[aria-level="${level}"]` : ''}[aria-label^=${JSON.stringify(labelStart)}]`;
    const row = p.locator(sel).first();
    const deadline = Date.now() + timeoutMs;
    const list = p.locator(`${SELECTORS.variables} .monaco-list`).first();
    let scrolledToTop = false;
    while ((await row.count()) === 0) {
      if (Date.now() > deadline) {
        const labels = await p.locator(SELECTORS.variableRows).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
        throw new Error(`no Variables row starts with '${labelStart}'${level !== undefined ? ` at level ${level}` : ''}; rows:\n${labels.join('\n')}`);
      }
      const box = await list.boundingBox().catch(() => null);
      if (box) {
        await p.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        if (!scrolledToTop) {
          await p.mouse.wheel(0, -5000);
          scrolledToTop = true;
        } else await p.mouse.wheel(0, Math.max(60, box.height / 2));
      }
      await sleep(200);
    }
    await row.scrollIntoViewIfNeeded();
    return row;
  }

  /** Expands a Variables row (click, then →) and waits for its first child. */
  async expandVariable(labelStart: string, level?: number): Promise<void> {
    const row = await this.variableRow(labelStart, level);
    if ((await row.getAttribute('aria-expanded')) !== 'true') {
      await row.click();
      await this.page.keyboard.press('ArrowRight');
    }
    const childLevel = Number((await row.getAttribute('aria-level')) ?? '0') + 1;
    await this.page.locator(`${SELECTORS.variableRows}[aria-level="${childLevel}"]`).first().waitFor({ timeout: 10_000 });
  }

  /** The accessible names of the Variables view's rendered rows ("name, value …"), top to bottom; only those at `level` when given. */
  async variableLabels(level?: number): Promise<string[]> {
    const sel = `${SELECTORS.variableRows}${level !== undefined ? `[aria-level="${level}"]` : ''}`;
    return this.page.locator(sel).evaluateAll((els) =>
      els.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top).map((e) => e.getAttribute('aria-label') ?? ''),
    );
  }

  /** Right-clicks an element and returns the items of the context menu that opens. */
  async contextMenu(target: ReturnType<Page['locator']>): Promise<string[]> {
    await target.click({ button: 'right' });
    const menu = this.page.locator(SELECTORS.contextMenu).first();
    await menu.waitFor({ state: 'visible', timeout: 10_000 });
    await sleep(300); // the menu ignores clicks while it opens
    return (await this.page.locator(SELECTORS.contextMenuItem).allInnerTexts()).map((t) => t.trim()).filter((t) => t.length > 0);
  }

  /** Chooses an item of the open context menu by its text; resolves when the menu has closed. */
  async chooseMenuItem(text: string): Promise<void> {
    const item = this.page.locator(SELECTORS.contextMenuItem).filter({ hasText: text }).first();
    await item.hover();
    await item.click();
    const menu = this.page.locator(SELECTORS.contextMenu).filter({ visible: true }).first();
    try {
      await menu.waitFor({ state: 'detached', timeout: 2000 });
    } catch {
      await this.page.keyboard.press('Enter'); // the hovered item is the focused one
      await menu.waitFor({ state: 'detached', timeout: 5000 });
    }
  }

  /**
   * The frame of a webview whose page has `selector` (webviews are nested iframes: VS Code's
   * host frame, then the extension's page).
   */
  async webviewFrame(selector: string, timeoutMs = 20_000): Promise<import('playwright-core').Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const f of this.page.frames()) {
        if (f === this.page.mainFrame()) continue;
        if (await f.locator(selector).count().catch(() => 0)) return f;
      }
      if (Date.now() > deadline) throw new Error(`no webview shows ${selector} within ${timeoutMs} ms`);
      await sleep(250);
    }
  }

  /** Runs one of pageScripts.js's functions in a frame (a webview's, or the workbench's by default). */
  async pageScript<T>(name: string, args: unknown, frame: import('playwright-core').Frame = this.page.mainFrame()): Promise<T> {
    const f = pageScripts[name];
    if (f === undefined) throw new Error(`pageScripts.js has no function ${name}`);
    return (await frame.evaluate(`(${f})(${JSON.stringify(args)})`)) as T;
  }

  /**
   * Brings a reused VS Code back to a clean state between journeys: no debug session, no
   * breakpoints, no open editors, notifications or panel.
   */
  async reset(): Promise<void> {
    const p = this.page;
    await p.keyboard.press('Escape');
    await p.keyboard.press('Escape');
    await p.mouse.move(5, 450);
    for (let i = 0; i < 3 && (await this.isDebugging()); i++) {
      await this.focusWorkbench();
      await p.keyboard.press('Shift+F5');
      await p.locator(SELECTORS.debugToolbar).filter({ visible: true }).first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
    }
    // VS Code closes the session's generated sources and refocuses editors just after it ends
    await sleep(500);
    await this.tryCommand('Remove All Breakpoints');
    // close every editor; VS Code may reopen one as the session winds down, so check twice
    const tabs = p.locator(SELECTORS.editorTab);
    for (let i = 0, quiet = 0; i < 6 && quiet < 2; i++) {
      if ((await tabs.count()) > 0) {
        quiet = 0;
        await this.tryCommand('View: Close All Editors');
      } else quiet++;
      await sleep(300);
    }
    await this.tryCommand('Notifications: Clear All Notifications');
    await this.tryCommand('View: Hide Panel', 1000);
    await p.keyboard.press('Escape');
    // (startDebugging() puts the Run and Debug panes back as first shown)
  }

  /** Screenshots and logs go to another folder from now on (a journey after another in the same VS Code). */
  useArtifactsDir(dir: string): void {
    mkdirSync(dir, { recursive: true });
    this.artifactsDir = dir;
  }

  // --- tear-down ---------------------------------------------------------------------------

  /** Closes the browser, ends code-server and its helpers (its process group only). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.browser.close().catch(() => undefined);
    await endGroup(this.server);
    // Helpers that left the process group (if any) are recognised by our unique temp dir.
    for (const pid of pidsMentioning(this.tempDir)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    if (this.keepTemp) return;
    // code-server's own logs help when a journey failed: keep a copy of them with the artifacts.
    const logs = join(this.tempDir, 'data', 'logs');
    if (existsSync(logs)) copyNewestLogs(logs, join(this.artifactsDir, 'vscode-logs'));
    rmSync(this.tempDir, { recursive: true, force: true });
  }

  /** Path of code-server's own log (stdout and stderr) for this journey. */
  get serverLog(): string {
    return this.logFile;
  }

  private async focusWorkbench(): Promise<void> {
    // Close whatever quick input or hover is open so a key goes to the workbench.
    if (await this.page.locator(SELECTORS.quickInput).filter({ visible: true }).count()) {
      await this.page.keyboard.press('Escape');
    }
  }
}

/** Resolves with the base URL when code-server logs both of its "listening" lines. */
function waitForServer(server: ChildProcess, log: NodeJS.WritableStream, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let buf = '';
    let http: string | undefined;
    let session = false;
    const timer = setTimeout(() => reject(new Error(`code-server did not start within ${timeoutMs} ms:\n${buf.slice(-3000)}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      const s = chunk.toString();
      log.write(s);
      if (http && session) return;
      buf += s;
      http ??= /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(buf)?.[1];
      session ||= /Session server listening on/.test(buf);
      if (http && session) {
        clearTimeout(timer);
        resolvePromise(http.replace(/\/$/, ''));
      }
    };
    server.stdout!.on('data', onData);
    server.stderr!.on('data', onData);
    server.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited (${code ?? signal}) before it was ready:\n${buf.slice(-3000)}`));
    });
  });
}

function killGroup(p: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (p.pid === undefined) return;
  try { process.kill(-p.pid, signal); } catch { /* group already gone */ }
}

/** SIGTERM to the group, SIGKILL after 5 s if the leader is still there. */
async function endGroup(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) {
    killGroup(p, 'SIGKILL'); // the leader is gone; its helpers may not be
    return;
  }
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  killGroup(p, 'SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
  killGroup(p, 'SIGKILL');
  if (!done) await Promise.race([exited, sleep(2000)]);
}

/** Processes whose command line contains `marker` (our unique temp dir). */
function pidsMentioning(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes(marker)) pids.push(Number(entry));
    } catch { /* exited meanwhile */ }
  }
  return pids;
}

function copyNewestLogs(from: string, to: string): void {
  try {
    const sessions = readdirSync(from).sort();
    const newest = sessions[sessions.length - 1];
    if (!newest) return;
    const walk = (src: string, dst: string) => {
      mkdirSync(dst, { recursive: true });
      for (const e of readdirSync(src, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(src, e.name), join(dst, e.name));
        else copyFileSync(join(src, e.name), join(dst, e.name));
      }
    };
    rmSync(to, { recursive: true, force: true });
    walk(join(from, newest), to);
  } catch { /* logs are a convenience */ }
}

/** Repository root (test/e2e/../..). */
export const REPO_ROOT = resolve(__dirname, '..', '..');
