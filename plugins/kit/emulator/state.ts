/**
 * An emulator's state: named tables of JSON values, in memory (tests) or journaled to a file of the emulator's
 * own (dev mode). Transactions run one at a time, so a transaction that reads a record and writes it back is
 * never interleaved with another one; all writes of a transaction commit together, or none do.
 *
 * The file is a journal: one JSON line per committed transaction, appended before the transaction counts as
 * committed, replayed at start, and compacted into one snapshot line when it grows. A process killed with
 * kill -9 loses nothing that committed (the line was written to the kernel before the answer left); a power
 * cut may lose the last lines, which is acceptable for a sandbox. One process owns a state file: it holds an
 * exclusive lock on `<path>.lock` while the state is open, and a second opener is refused.
 * @module
 */
import {
  appendLine,
  applyWrites,
  closeJournal,
  compactJournal,
  lockStateFile,
  maybeCompact,
  readJournal,
  type StateFile,
  StateFileError,
  type Tables,
  type Write,
} from "./_journal.ts";

export { StateFileError };

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What a transaction and a read see: the committed tables (and, in a transaction, its own writes). */
export interface StateView {
  /** A copy of the value stored under `key`, or undefined. */
  get<T>(table: string, key: string): T | undefined;
  /** Copies of every value of `table`, in the order their keys were first written. */
  list<T>(table: string): T[];
  /** How many keys `table` holds. */
  size(table: string): number;
}

export interface StateTransaction extends StateView {
  /** Stores a copy of `value` (JSON: undefined fields are dropped, as a replay would drop them). */
  put(table: string, key: string, value: unknown): void;
  delete(table: string, key: string): void;
  /** Runs `task` once the transaction has committed (to send notifications); never after a rollback. */
  afterCommit(task: () => void): void;
}

export interface EmulatorState {
  /** Where the state lives: "memory", or the path of its journal. */
  readonly location: string;
  /**
   * Runs `work` after every transaction queued before it. What it writes commits when it returns, and is
   * discarded when it throws (the error is thrown again). Never call `transaction` from inside `work`: it
   * would wait for itself.
   */
  transaction<T>(work: (tx: StateTransaction) => T | Promise<T>): Promise<T>;
  /** Reads the committed state at once (a transaction in flight is not seen until it commits). */
  read<T>(work: (view: StateView) => T): T;
  /** Releases the file and its lock; later transactions throw. */
  close(): void;
}

export interface FileStateOptions {
  /** Compact the journal into a snapshot after this many transaction lines (default 2000). */
  readonly compactAfter?: number;
}

/** In-memory state, private to its emulator and gone when the process ends. */
export function memoryState(): EmulatorState {
  return createState("memory", new Map(), undefined);
}

/**
 * State journaled to `path` (created when missing; its directory must exist). Throws StateFileError when
 * another process holds the file, when it cannot be read or written, or when it is not a journal.
 */
export function fileState(path: string, options: FileStateOptions = {}): EmulatorState {
  const lock = lockStateFile(path);
  try {
    const { tables, lines } = readJournal(path);
    const file: StateFile = {
      path,
      lock,
      linesSinceSnapshot: lines,
      compactAfter: options.compactAfter ?? 2000,
    };
    if (lines > file.compactAfter) compactJournal(file, tables);
    return createState(path, tables, file);
  } catch (error) {
    lock.close();
    throw error;
  }
}

/** File state when a path is given, else memory. */
export function openState(statePath?: string, options?: FileStateOptions): EmulatorState {
  return statePath === undefined ? memoryState() : fileState(statePath, options);
}

function createState(location: string, tables: Tables, file: StateFile | undefined): EmulatorState {
  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;

  function committedView(): StateView {
    return {
      get: <T>(table: string, key: string) => parse<T>(tables.get(table)?.get(key)),
      list: <T>(table: string) =>
        [...(tables.get(table)?.values() ?? [])].map((text) => JSON.parse(text) as T),
      size: (table) => tables.get(table)?.size ?? 0,
    };
  }

  async function run<T>(work: (tx: StateTransaction) => T | Promise<T>): Promise<T> {
    if (closed) throw new Error("Cannot use a closed emulator state");
    const writes = new Map<string, Write>();
    const tasks: (() => void)[] = [];
    const tx = transactionView(tables, writes, tasks);
    const result = await work(tx);
    if (closed) throw new Error("Cannot commit to a closed emulator state");
    if (writes.size > 0) {
      const batch = [...writes.values()];
      // The journal first: a transaction counts as committed only once its line is written.
      if (file !== undefined) appendLine(file, batch);
      applyWrites(tables, batch);
      if (file !== undefined) maybeCompact(file, tables);
    }
    for (const task of tasks) {
      // Committed is committed: a failing follow-up (a notification that cannot be queued) does not undo it.
      try {
        task();
      } catch (error) {
        console.error("emulator-state.after_commit_failed", error instanceof Error ? error.name : "unknown");
      }
    }
    return result;
  }

  return {
    location,
    transaction(work) {
      const next = tail.then(() => run(work));
      tail = next.then(() => {}, () => {});
      return next;
    },
    read(work) {
      return work(committedView());
    },
    close() {
      if (closed) return;
      closed = true;
      if (file !== undefined) {
        closeJournal(file);
        file.lock.close();
      }
    },
  };
}

function transactionView(
  tables: Tables,
  writes: Map<string, Write>,
  tasks: (() => void)[],
): StateTransaction {
  const id = (table: string, key: string) => JSON.stringify([table, key]);
  function current(table: string, key: string): string | undefined {
    const written = writes.get(id(table, key));
    return written === undefined ? tables.get(table)?.get(key) : written[2] ?? undefined;
  }
  function keys(table: string): string[] {
    const all = new Set(tables.get(table)?.keys() ?? []);
    for (const [writtenTable, key] of writes.values()) if (writtenTable === table) all.add(key);
    return [...all].filter((key) => current(table, key) !== undefined);
  }
  return {
    get: <T>(table: string, key: string) => parse<T>(current(table, key)),
    list: <T>(table: string) => keys(table).map((key) => JSON.parse(current(table, key)!) as T),
    size: (table) => keys(table).length,
    put(table, key, value) {
      const text = JSON.stringify(value);
      if (text === undefined) throw new TypeError(`Cannot store a value that is not JSON in ${table}`);
      writes.set(id(table, key), [table, key, text]);
    },
    delete(table, key) {
      writes.set(id(table, key), [table, key, null]);
    },
    afterCommit(task) {
      tasks.push(task);
    },
  };
}

function parse<T>(text: string | undefined): T | undefined {
  return text === undefined ? undefined : JSON.parse(text) as T;
}
