/**
 * How an operator CLI reaches the gateway's data: PostgreSQL directly (DATABASE_URL); or the embedded store in
 * DATA_DIR, directly when no gateway runs on it (the CLI holds its lock meanwhile), else through the running
 * gateway's admin routes, because the embedded store serves one process at a time and a second one would
 * silently lose writes.
 * @module
 */
import { loadConfig } from "../adapters/config/config.ts";
import { createJsonLogger } from "../adapters/logging/json_logger.ts";
import { createLocalOperations } from "../adapters/operations/local_operations.ts";
import type { Operations } from "../adapters/operations/operations.ts";
import { createRemoteOperations } from "../adapters/operations/remote_operations.ts";
import { buildGatewayDeps, openDatabase } from "../adapters/server/gateway.ts";
import {
  checkDatabaseAnswers,
  checkDeploymentMode,
  type DataDirLock,
  describeHolder,
  requireSealing,
  StartupError,
  tryLockDataDir,
} from "../adapters/server/startup.ts";
import { migrate } from "../adapters/store/migrate.ts";

export interface OpenedOperations {
  readonly operations: Operations;
  /** "the database", or the running gateway the actions go through. */
  readonly via: string;
  close(): Promise<void>;
}

export async function openOperations(program: string, operator: string): Promise<OpenedOperations> {
  const config = await loadConfig();
  let lock: DataDirLock | undefined;
  if (config.databaseUrl === undefined) {
    const taken = await tryLockDataDir(config.dataDir, program);
    if ("heldBy" in taken) {
      const holder = taken.heldBy;
      if (holder?.program === "gateway" && holder.url !== undefined && config.operatorToken !== undefined) {
        return {
          operations: createRemoteOperations({
            url: holder.url,
            operatorToken: config.operatorToken,
            operator,
          }),
          via: `the running gateway on ${holder.url}`,
          close: () => Promise.resolve(),
        };
      }
      throw new StartupError(
        `DATA_DIR ${config.dataDir} is in use by ${describeHolder(holder)}; wait for it, or stop it`,
      );
    }
    lock = taken.lock;
  }
  const db = await openDatabase(config);
  try {
    await checkDatabaseAnswers(db, config.databaseUrl);
    await migrate(db);
    await checkDeploymentMode(db, config.mode);
    const logger = createJsonLogger({ level: "warn", write: (line) => console.error(line) });
    const built = await buildGatewayDeps(config, db, { logger, appUrl: config.appUrl });
    requireSealing(await built.shops.checkSealing());
    return {
      operations: createLocalOperations({ gateway: built.deps, db, ...built }),
      via: "the database",
      async close() {
        for (const plugin of built.plugins.values()) plugin.terminate();
        await built.audit.close();
        await db.close();
        lock?.release();
      },
    };
  } catch (error) {
    await db.close().catch(() => {});
    lock?.release();
    throw error;
  }
}
