/**
 * Standard notifications as Adyen sends them: one NotificationRequestItem per request, signed with the
 * account's HMAC key (docs.adyen.com/development-resources/webhooks/secure-webhooks/verify-hmac-signatures),
 * queued when the transaction that produced it commits, and delivered by the kit's sender (retried with a
 * bounded backoff until the receiver answers 2xx).
 * @module
 */
import {
  createNotificationSender,
  type NotificationSender,
  type NotificationSenderOptions,
  type StateTransaction,
} from "../../kit/emulator/mod.ts";
import { fromHex, hmacSha256, toBase64 } from "../../kit/mod.ts";
import type { AccountBook } from "./accounts.ts";

export interface NotificationAmount {
  readonly value: number;
  readonly currency: string;
}

export interface NotificationItem {
  readonly additionalData: Readonly<Record<string, string>>;
  readonly amount: NotificationAmount;
  readonly eventCode: string;
  readonly eventDate: string;
  readonly merchantAccountCode: string;
  readonly merchantReference: string;
  readonly originalReference?: string;
  /** RECURRING_CONTRACT only: the pspReference of the payment that created the token. */
  readonly originalPsp?: string;
  readonly paymentMethod?: string;
  readonly pspReference: string;
  readonly reason?: string;
  readonly success: "true" | "false";
  readonly operations?: readonly string[];
}

export type UnsignedItem = Omit<NotificationItem, "additionalData"> & {
  readonly additionalData?: Readonly<Record<string, string>>;
};

/** A notification as a handler describes it: the account and the date are filled in when it is queued. */
export type Notification = Omit<UnsignedItem, "eventDate" | "merchantAccountCode">;

/** What the emulator sent, for tests. */
export interface AdyenDelivery {
  readonly eventCode: string;
  readonly pspReference: string;
  readonly originalReference?: string;
  readonly merchantReference: string;
  readonly success: "true" | "false";
  readonly url: string;
  readonly attempts: number;
  readonly delivered: boolean;
  /** True when the receiver answered the documented body `[accepted]`. */
  readonly acknowledged: boolean;
}

type Meta = Omit<AdyenDelivery, "url" | "attempts" | "delivered" | "acknowledged">;

/**
 * The string Adyen signs for a standard notification item: eight fields joined with ":", an absent field
 * written as the empty string.
 */
export function signingString(item: UnsignedItem): string {
  return [
    item.pspReference,
    item.originalReference ?? "",
    item.merchantAccountCode,
    item.merchantReference,
    String(item.amount.value),
    item.amount.currency,
    item.eventCode,
    item.success,
  ].join(":");
}

export async function signItem(item: UnsignedItem, hmacKeyHex: string): Promise<NotificationItem> {
  const key = fromHex(hmacKeyHex);
  if (key === undefined || key.length === 0) {
    throw new TypeError("HMAC key must be an even-length hex string");
  }
  const hmacSignature = toBase64(await hmacSha256(key, signingString(item)));
  return { ...item, additionalData: { ...item.additionalData, hmacSignature } };
}

export interface Notifier {
  /** Queues a notification of `merchantAccount`, sent once `tx` commits, to the account's webhook URL. */
  notify(tx: StateTransaction, merchantAccount: string, notification: Notification): void;
  deliveries(): AdyenDelivery[];
  close(): void;
}

export function createNotifier(
  accounts: AccountBook,
  now: () => number,
  options: NotificationSenderOptions,
): Notifier {
  const sender: NotificationSender<Meta> = createNotificationSender(options);
  return {
    notify(tx, merchantAccount, notification) {
      const item: UnsignedItem = {
        ...notification,
        merchantAccountCode: merchantAccount,
        eventDate: new Date(now()).toISOString(),
      };
      tx.afterCommit(() => {
        const account = accounts.forMerchant(merchantAccount);
        if (account?.webhookUrl === undefined) return;
        const meta: Meta = {
          eventCode: item.eventCode,
          pspReference: item.pspReference,
          originalReference: item.originalReference,
          merchantReference: item.merchantReference,
          success: item.success,
        };
        sender.send(account.webhookUrl, meta, async () => ({
          body: JSON.stringify({
            live: "false",
            notificationItems: [{ NotificationRequestItem: await signItem(item, account.hmacKeyHex) }],
          }),
        }));
      });
    },
    deliveries() {
      return sender.deliveries().map((record) => ({
        ...record.meta,
        url: record.url,
        attempts: record.attempts,
        delivered: record.delivered,
        acknowledged: record.delivered && record.answer === "[accepted]",
      }));
    },
    close() {
      sender.close();
    },
  };
}
