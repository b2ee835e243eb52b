/**
 * The template API's notifications: one event per POST to the account's webhook URL, `{id, type, created,
 * data}`, signed in `X-Signature: sha256=<hex HMAC-SHA256 of the body>` with the account's webhook secret,
 * retried with doubling delays until a 2xx (plugins/kit/emulator/notification_sender.ts). Queued after the
 * transaction that decided the result commits, never before.
 * @module
 */
import {
  createNotificationSender,
  type NotificationSenderOptions,
  type StateTransaction,
} from "../../kit/emulator/mod.ts";
import type { AccountBook } from "./accounts.ts";
import { newId } from "./records.ts";

/**
 * The `X-Signature` of a body, signed as the PSP signs it. Written here, not taken from the plugin: an
 * emulator that shared the plugin's code would agree with the plugin's mistakes.
 */
export async function signBody(body: string, secret: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "sign",
    ],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(body)));
  return `sha256=${Array.from(mac, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

export type EventType = "payment.updated" | "capture.updated" | "void.updated" | "refund.updated";

/** What a delivery is about, for tests. */
export interface EventMeta {
  readonly type: EventType;
  readonly reference: string;
}

export interface Notifier {
  /** Queues the event about `data` (a Payment or Modification object) once `tx` commits. */
  notify(tx: StateTransaction, scope: string, type: EventType, data: { readonly reference: string }): void;
  close(): void;
}

export function createNotifier(accounts: AccountBook, options: NotificationSenderOptions): Notifier {
  const sender = createNotificationSender<EventMeta>(options);
  return {
    notify(tx, scope, type, data) {
      tx.afterCommit(() => {
        void accounts.byScope(scope).then((account) => {
          if (account?.webhookUrl === undefined) return;
          const event = { id: newId("evt"), type, created: new Date().toISOString(), data };
          const body = JSON.stringify(event);
          sender.send(account.webhookUrl, { type, reference: data.reference }, async () => ({
            body,
            headers: {
              "content-type": "application/json",
              "x-signature": await signBody(body, account.webhookSecret),
            },
          }));
        });
      });
    },
    close: () => sender.close(),
  };
}
