/**
 * The checks a gateway passes before it serves anything, each failing with one sentence that says what is
 * wrong and what to do (`StartupError`; main.ts prints it and exits 2): the port is free, the embedded
 * store's DATA_DIR is usable and this process is its only user, PostgreSQL answers, the database serves this
 * process's mode, and the master keys open what is sealed in it.
 * @module
 */
import { publicKeyFromPrivate } from "../crypto/keys.ts";
import type { SqlClient } from "../store/sql_client.ts";
import type { SealingCheck } from "../store/sql_shop_store.ts";

/** A start-up problem: its message is the one line an operator reads. */
export class StartupError extends Error {
  override readonly name = "StartupError";
}

/** Who holds a DATA_DIR, as its lock file says. */
export interface LockHolder {
  readonly pid: number;
  /** `gateway` or the CLI (`deno task shops`, ...). */
  readonly program: string;
  /** The gateway's URL, for a gateway. */
  readonly url?: string;
  readonly since: string;
}

/** The exclusive lock on a DATA_DIR, held for the life of the process (the OS drops it if the process dies). */
export interface DataDirLock {
  readonly path: string;
  /** Says who holds it now (a gateway also gives its URL once it listens). */
  describe(holder: Omit<LockHolder, "pid" | "since">): Promise<void>;
  release(): void;
}

const LOCK_FILE = "gateway.lock";

/**
 * Takes DATA_DIR's lock, creating the directory if needed.
 * @returns the lock, or the holder when another process has it
 * @throws {StartupError} when the directory cannot be created, read or written
 */
export async function tryLockDataDir(
  dataDir: string,
  program: string,
): Promise<{ readonly lock: DataDirLock } | { readonly heldBy: LockHolder | undefined }> {
  const path = `${dataDir}/${LOCK_FILE}`;
  let file: Deno.FsFile;
  try {
    await Deno.mkdir(dataDir, { recursive: true });
    file = await Deno.open(path, { read: true, write: true, create: true });
  } catch (error) {
    throw new StartupError(`DATA_DIR ${dataDir} is not usable: ${describeFsError(error)}`);
  }
  if (!await file.tryLock(true)) {
    file.close();
    return { heldBy: await readHolder(path) };
  }
  const since = new Date().toISOString();
  async function describe(holder: Omit<LockHolder, "pid" | "since">): Promise<void> {
    const text = new TextEncoder().encode(JSON.stringify({ pid: Deno.pid, since, ...holder }));
    await file.truncate(0);
    await file.seek(0, Deno.SeekMode.Start);
    await file.write(text);
  }
  await describe({ program });
  return {
    lock: {
      path,
      describe,
      release() {
        try {
          file.unlockSync();
          file.close();
        } catch {
          // Already released.
        }
      },
    },
  };
}

/** Takes DATA_DIR's lock for a gateway; a second gateway on the same DATA_DIR stops here. */
export async function lockDataDirForGateway(dataDir: string): Promise<DataDirLock> {
  const taken = await tryLockDataDir(dataDir, "gateway");
  if ("lock" in taken) return taken.lock;
  throw new StartupError(
    `DATA_DIR ${dataDir} is in use by ${describeHolder(taken.heldBy)}: the embedded database serves one ` +
      "process; stop it, use another DATA_DIR, or set DATABASE_URL to run several gateways on one PostgreSQL",
  );
}

export function describeHolder(holder: LockHolder | undefined): string {
  if (holder === undefined) return "another process";
  const where = holder.url === undefined ? "" : ` on ${holder.url}`;
  return `${holder.program} (pid ${holder.pid}${where}, since ${holder.since})`;
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const value = JSON.parse(await Deno.readTextFile(path));
    return typeof value?.pid === "number" && typeof value?.program === "string"
      ? value as LockHolder
      : undefined;
  } catch {
    return undefined;
  }
}

function describeFsError(error: unknown): string {
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.NotADirectory || error instanceof Deno.errors.AlreadyExists) {
    return "it is not a directory";
  }
  if (error instanceof Deno.errors.NotFound) return "a parent directory does not exist";
  if (error instanceof Deno.errors.NotCapable) return "the operating system refuses access to it";
  return error instanceof Error ? error.name : "unknown error";
}

/** A bound port whose requests go to whatever handler is routed to it (503 until the gateway is ready). */
export interface Listener {
  readonly server: Deno.HttpServer<Deno.NetAddr>;
  readonly port: number;
  route(handler: RequestHandler): void;
}

/** Deno's request handler: the request and its connection (the client's address, for rate limits). */
export type RequestHandler = (
  request: Request,
  info: Deno.ServeHandlerInfo<Deno.NetAddr>,
) => Response | Promise<Response>;

/** Binds the port and answers 503 until a handler is routed to it. */
export function claimPort(port: number, hostname: string): Listener {
  let handler: RequestHandler = (_request) =>
    new Response(JSON.stringify({ status: "starting" }), {
      status: 503,
      headers: { "content-type": "application/json", "retry-after": "1" },
    });
  const server = listenOn(port, hostname, (request, info) => handler(request, info));
  return {
    server,
    port: server.addr.port,
    route(next) {
      handler = next;
    },
  };
}

/**
 * Binds the HTTP port first of all, so that a taken port stops the process before it writes anything.
 * @throws {StartupError} when the port is in use or cannot be bound
 */
export function listenOn(
  port: number,
  hostname: string,
  handler: RequestHandler,
): Deno.HttpServer<Deno.NetAddr> {
  try {
    return Deno.serve({ port, hostname, onListen: () => {} }, handler);
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new StartupError(
        `PORT ${port} on ${hostname} is already in use (another gateway, or another program): set PORT to a free port`,
      );
    }
    if (error instanceof Deno.errors.AddrNotAvailable) {
      throw new StartupError(`HOST ${hostname} is not an address of this machine: set HOST`);
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new StartupError(`PORT ${port} on ${hostname} needs privileges this process does not have`);
    }
    throw error;
  }
}

/**
 * Proves the database answers, with a bounded wait.
 * @throws {StartupError} naming the server (never the password) and why it does not answer
 */
export async function checkDatabaseAnswers(db: SqlClient, databaseUrl: string | undefined): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => timer = setTimeout(() => resolve("timeout"), 10_000));
  try {
    const answer = await Promise.race([db.query("SELECT 1 AS one"), timeout]);
    if (answer === "timeout") throw new Error("no answer within 10 s");
  } catch (error) {
    throw new StartupError(
      `DATABASE_URL: cannot reach PostgreSQL at ${serverOf(databaseUrl)}: ${describeDbError(error)}`,
    );
  } finally {
    clearTimeout(timer);
  }
}

/** `host:port/database` of a postgres URL, without user or password. */
export function serverOf(databaseUrl: string | undefined): string {
  if (databaseUrl === undefined) return "the embedded store";
  try {
    const url = new URL(databaseUrl);
    return `${url.hostname}:${url.port || "5432"}${url.pathname}`;
  } catch {
    return "(unreadable URL)";
  }
}

function describeDbError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (/ECONNREFUSED|connection refused/i.test(text)) return "connection refused";
  if (/password authentication failed/i.test(text)) return "password authentication failed";
  if (/does not exist/i.test(text)) return "the database does not exist";
  if (/ENOTFOUND|getaddrinfo|failed to lookup/i.test(text)) return "the host name does not resolve";
  // The driver's message may quote the URL; keep only its first words, never a password.
  return text.replace(/postgres(ql)?:\/\/\S+/g, "postgres://…").slice(0, 120);
}

/**
 * The database remembers the mode it serves; a process of the other mode refuses it.
 * @throws {StartupError} for a dev process on a production database and the reverse
 */
export async function checkDeploymentMode(db: SqlClient, mode: "dev" | "production"): Promise<void> {
  await db.query("INSERT INTO deployment (mode) VALUES ($1) ON CONFLICT (singleton) DO NOTHING", [mode]);
  const [row] = await db.query<{ mode: string }>("SELECT mode FROM deployment");
  if (row.mode === mode) return;
  throw new StartupError(
    mode === "dev"
      ? "The database is a production gateway's and this process runs in dev mode (which seeds a public demo " +
        "shop): set MODE=production, or point DATABASE_URL at a dev database"
      : "The database is a dev gateway's (it holds the public demo shop and generated secrets) and this " +
        "process runs in production: point DATABASE_URL at a production database",
  );
}

/** @throws {StartupError} when the configured MASTER_KEY cannot open what is sealed in the database */
export function requireSealing(check: SealingCheck): void {
  if (check.ok) return;
  throw new StartupError(
    `MASTER_KEY cannot open the secrets in the database: they are sealed with key id(s) ${
      check.unopened.join(", ")
    }, the configured key id(s) are ${check.configured.join(", ")}; set MASTER_KEY to the key that sealed ` +
      'them (during a rotation, MASTER_KEY="<new>,<old>")',
  );
}

/**
 * Every ECIES private key must be a usable P-256 key; a bad one would fail every card payment.
 * @throws {StartupError} naming the key's position, never the key
 */
export async function checkEciesKeys(keys: readonly string[]): Promise<string> {
  let first: string | undefined;
  for (const [index, key] of keys.entries()) {
    try {
      const publicKey = await publicKeyFromPrivate(key);
      first ??= publicKey;
    } catch {
      throw new StartupError(`ECIES_PRIVATE_KEYS: key ${index + 1} is not a Base64 PKCS#8 P-256 private key`);
    }
  }
  if (first === undefined) throw new StartupError("ECIES_PRIVATE_KEYS holds no key");
  return first;
}
