/**
 * The file behind a journaled emulator state (state.ts): its lock, its replay, its appends and its compaction.
 *
 * Each line is `{"v":1,"w":[...]}`: the writes of one transaction, `[table, key, value]` for a put and
 * `[table, key]` for a delete. A snapshot line (`"snapshot":true`) replaces everything before it. Keys keep
 * the order they were first written in (arrays, not objects: an object would reorder integer-like keys).
 * @module
 */

/** The tables of a state: table → key → the value's JSON text. */
export type Tables = Map<string, Map<string, string>>;
/** One write: [table, key, JSON text], or [table, key, null] for a delete. */
export type Write = readonly [string, string, string | null];

/** Why a state file cannot be opened or written: held by another process, unreadable, or not a journal. */
export class StateFileError extends Error {
  constructor(
    readonly reason: "locked" | "unreadable" | "corrupt",
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "StateFileError";
  }
}

/** Applies a committed batch of writes to the tables. */
export function applyWrites(tables: Tables, batch: readonly Write[]): void {
  for (const [table, key, text] of batch) {
    let rows = tables.get(table);
    if (rows === undefined) {
      rows = new Map();
      tables.set(table, rows);
    }
    if (text === null) rows.delete(key);
    else rows.set(key, text);
  }
}

export interface StateFile {
  readonly path: string;
  readonly lock: Deno.FsFile;
  journal?: Deno.FsFile;
  /** The journal's length in bytes after the last complete line. */
  size?: number;
  linesSinceSnapshot: number;
  readonly compactAfter: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Takes the exclusive lock of a state file (on `<path>.lock`, which compaction never replaces). */
export function lockStateFile(path: string): Deno.FsFile {
  let lock: Deno.FsFile;
  try {
    lock = Deno.openSync(`${path}.lock`, { read: true, write: true, create: true });
  } catch (error) {
    throw new StateFileError("unreadable", `Cannot open the state file ${path}: ${describe(error)}`, {
      cause: error,
    });
  }
  if (!lock.tryLockSync(true)) {
    lock.close();
    throw new StateFileError("locked", `Cannot open the state file ${path}: another process holds its lock`);
  }
  return lock;
}

/** Replays the journal (a missing file is an empty state); a torn last line is cut off. */
export function readJournal(path: string): { tables: Tables; lines: number } {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { tables: new Map(), lines: 0 };
    throw new StateFileError("unreadable", `Cannot read the state file ${path}: ${describe(error)}`, {
      cause: error,
    });
  }
  const tables: Tables = new Map();
  const end = bytes.lastIndexOf(0x0a) + 1;
  const text = decoder.decode(bytes.subarray(0, end));
  let lines = 0;
  for (const [index, line] of text.split("\n").entries()) {
    if (line === "") continue;
    const entry = parseLine(line);
    if (entry === undefined) {
      throw new StateFileError(
        "corrupt",
        `Cannot read the state file ${path}: line ${index + 1} is not a journal entry`,
      );
    }
    if (entry.snapshot) tables.clear();
    applyWrites(tables, entry.writes);
    lines = entry.snapshot ? 0 : lines + 1;
  }
  // A process killed in the middle of an append leaves a partial last line: that transaction never committed.
  if (end < bytes.length) truncate(path, end);
  return { tables, lines };
}

/** Appends one transaction's writes; throws (having written nothing that counts) when the write fails. */
export function appendLine(file: StateFile, batch: readonly Write[]): void {
  const journal = openJournal(file);
  const line = encoder.encode(`{"v":1,"w":[${batch.map(encodeWrite).join(",")}]}\n`);
  try {
    writeAll(journal, line);
  } catch (error) {
    // Cut a partial line off again, so that the journal stays readable after a full disk.
    try {
      journal.truncateSync(file.size);
    } catch {
      // The replay cuts a torn last line off as well.
    }
    throw new StateFileError("unreadable", `Cannot write the state file ${file.path}: ${describe(error)}`, {
      cause: error,
    });
  }
  file.size = (file.size ?? 0) + line.length;
  file.linesSinceSnapshot++;
}

/** Rewrites the journal as one snapshot line when it has grown past `compactAfter` lines. */
export function maybeCompact(file: StateFile, tables: Tables): void {
  if (file.linesSinceSnapshot > file.compactAfter) compactJournal(file, tables);
}

/** Writes the whole state to a new file and renames it over the journal: a crash leaves one or the other. */
export function compactJournal(file: StateFile, tables: Tables): void {
  const writes: string[] = [];
  for (const [table, rows] of tables) {
    for (const [key, text] of rows) writes.push(encodeWrite([table, key, text]));
  }
  const line = encoder.encode(`{"v":1,"snapshot":true,"w":[${writes.join(",")}]}\n`);
  const next = `${file.path}.compact`;
  const out = Deno.openSync(next, { write: true, create: true, truncate: true });
  try {
    writeAll(out, line);
    out.syncSync();
  } finally {
    out.close();
  }
  file.journal?.close();
  file.journal = undefined;
  Deno.renameSync(next, file.path);
  file.size = line.length;
  file.linesSinceSnapshot = 0;
}

/** Closes the journal (the lock is closed by the state). */
export function closeJournal(file: StateFile): void {
  try {
    file.journal?.syncSync();
  } catch {
    // Nothing more can be done at close; every line was written already.
  }
  file.journal?.close();
  file.journal = undefined;
}

function openJournal(file: StateFile): Deno.FsFile {
  if (file.journal === undefined) {
    file.journal = Deno.openSync(file.path, { append: true, create: true });
    file.size = file.journal.statSync().size;
  }
  return file.journal;
}

function writeAll(out: Deno.FsFile, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += out.writeSync(bytes.subarray(written));
}

function encodeWrite([table, key, text]: Write): string {
  return text === null
    ? `[${JSON.stringify(table)},${JSON.stringify(key)}]`
    : `[${JSON.stringify(table)},${JSON.stringify(key)},${text}]`;
}

interface Entry {
  readonly snapshot: boolean;
  readonly writes: readonly Write[];
}

function parseLine(line: string): Entry | undefined {
  try {
    const value = JSON.parse(line);
    if (value?.v !== 1 || !Array.isArray(value.w)) return undefined;
    const writes = decodeWrites(value.w);
    return writes === undefined ? undefined : { snapshot: value.snapshot === true, writes };
  } catch {
    return undefined;
  }
}

/** The writes of a journal line, or undefined when one of them is not a write. */
function decodeWrites(writes: readonly unknown[]): Write[] | undefined {
  const decoded: Write[] = [];
  for (const write of writes) {
    if (!Array.isArray(write) || typeof write[0] !== "string" || typeof write[1] !== "string") {
      return undefined;
    }
    if (write.length === 2) decoded.push([write[0], write[1], null]);
    else if (write.length === 3) decoded.push([write[0], write[1], JSON.stringify(write[2])]);
    else return undefined;
  }
  return decoded;
}

function truncate(path: string, length: number): void {
  try {
    Deno.truncateSync(path, length);
  } catch (error) {
    throw new StateFileError("unreadable", `Cannot repair the state file ${path}: ${describe(error)}`, {
      cause: error,
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
