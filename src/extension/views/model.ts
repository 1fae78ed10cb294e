/**
 * The pure part of the VMM Lab tree views: what a row is (ViewNode), how a view loads its rows
 * from the adapter (ViewSpec), and small formatting helpers. Nothing here imports the VS Code
 * API, so the builders of every view can be unit-tested in plain Node (test/extension/).
 *
 * Row ids are derived from what the row shows (a VAD's start address, a page list's name, a
 * fault's sequence number), never from its position, so VS Code keeps rows expanded when a view
 * is refreshed after a stop.
 */

/** One row of a tree view. */
export interface ViewNode {
  /** Stable, unique within the view, derived from the content's identity. */
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  /** A codicon name ("symbol-variable"), optionally coloured with a theme colour id ("charts.green"). */
  icon?: { id: string; color?: string };
  /** Collapsible state for rows with children: expanded the first time they are shown, or collapsed. */
  expanded?: boolean;
  children?: ViewNode[];
  /** Children fetched when the row is expanded (rows that have none yet). */
  load?: () => Promise<ViewNode[]>;
  /** Drives menus (`viewItem == …`). */
  contextValue?: string;
  /** The virtual address this row stands for: selecting the row shows it in the Page Walk. */
  address?: string;
  /** A sentence shown as the view's message while this row is selected. */
  detail?: string;
}

/** What a view shows: its rows plus the view's message and description (both optional). */
export interface ViewResult {
  nodes: ViewNode[];
  /** Shown above the rows (an empty state, an error, a hint). */
  message?: string;
  /** Shown next to the view's title (e.g. the process, a count). */
  description?: string;
}

/** Sends one custom request to the debug adapter (`session.customRequest`). */
export type Requester = (command: string, args?: Record<string, unknown>) => Promise<unknown>;

export interface ViewContext {
  request: Requester;
  /** The address selected for the Page Walk (hover, fault log, Enter Address…). */
  address?: string;
}

/** A view: its id in package.json and how it loads its rows from a stopped session. */
export interface ViewSpec {
  id: string;
  /** Shown when no session is there to ask. */
  emptyMessage: string;
  load(ctx: ViewContext): Promise<ViewResult>;
}

/** A row without children. */
export function leaf(id: string, label: string, description?: string, extra: Partial<ViewNode> = {}): ViewNode {
  return { id, label, description, ...extra };
}

/** Group digits: 131072 → "131,072" (locale-independent, so tests are stable). */
export function count(n: number): string {
  const s = Math.trunc(Math.abs(n)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${s}` : s;
}

/** A number of 4 KB pages as a size: 16 → "64 KB", 131072 → "512 MB", 3 → "12 KB". */
export function pagesToSize(pages: number): string {
  const kb = pages * 4;
  if (kb < 1024) return `${kb} KB`;
  const mb = kb / 1024;
  if (mb < 1024) return `${trim(mb)} MB`;
  return `${trim(mb / 1024)} GB`;
}

function trim(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

/** "1 page", "2 pages". */
export function pages(n: number): string {
  return `${count(n)} ${n === 1 ? 'page' : 'pages'}`;
}

/** Error text of a failed custom request (VS Code rejects with an Error whose message is the adapter's). */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
