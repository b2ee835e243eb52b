/**
 * Connecting and disconnecting a shop's PSP account for one mode: checked by the plugin's schema, then live
 * with the PSP (`verifyCredentials`), then stored sealed with the `account_authorize` callback that reports
 * it, in one transaction. A refusal stores nothing and reports nothing.
 * @module
 */
import type { CallbackMessage, LoadedPlugin } from "../../src/mod.ts";
import { type CredentialField, issuesByField } from "../../src/ports/psp_plugin.ts";
import type { CredentialMode } from "../store/sql_shop_store.ts";
import type { OnboardingDeps } from "./deps.ts";

/** The stable code of a disconnect's callback error (contract section 9). */
export const DEAUTHORIZED = "account_deauthorized";

export type ConnectResult =
  | { readonly kind: "connected" }
  /** Per field name (`(form)` for the whole): what is wrong with what was entered. */
  | { readonly kind: "invalid"; readonly errors: Readonly<Record<string, string>> }
  /** The PSP refused the credentials; its reason, in its words. */
  | { readonly kind: "refused"; readonly reason: string };

/**
 * The credentials the form describes, from the submitted fields: an empty field is absent, except that an
 * empty secret keeps the secret already stored for this mode (a stored secret is never shown again, so a
 * merchant changing another field leaves it empty). A required field still empty is an error.
 */
export function credentialsFrom(
  fields: readonly CredentialField[],
  submitted: Readonly<Record<string, string>>,
  stored: Readonly<Record<string, unknown>> | undefined,
): { readonly values: Record<string, string>; readonly errors: Record<string, string> } {
  const values: Record<string, string> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const entered = (submitted[field.name] ?? "").trim();
    const kept = field.secret && typeof stored?.[field.name] === "string" ? stored[field.name] as string : "";
    const value = entered !== "" ? entered : kept;
    if (value !== "") values[field.name] = value;
    else if (field.required) errors[field.name] = `Enter the ${field.label.toLowerCase()}`;
  }
  return { values, errors };
}

function accountCallback(
  extension: string,
  mode: CredentialMode,
  succeeded: boolean,
  error?: string,
): CallbackMessage {
  return {
    kind: "account_authorize",
    // Unique per report (the outbox keeps one callback per target); the path of this callback has no id.
    targetId: `${extension}.${mode}.${crypto.randomUUID()}`,
    // One ordering key per shop and extension: its results are delivered in the order they happened.
    paymentId: `account:${extension}`,
    succeeded,
    channelId: "",
    test: mode === "test",
    extension,
    ...(error === undefined ? {} : { error }),
  };
}

export async function connectAccount(
  deps: OnboardingDeps,
  target: { readonly shop: string; readonly extension: string; readonly mode: CredentialMode },
  plugin: LoadedPlugin,
  values: Readonly<Record<string, string>>,
): Promise<ConnectResult> {
  const { shop, extension, mode } = target;
  const validation = await plugin.validateCredentials(mode, values);
  if (!validation.ok) {
    return { kind: "invalid", errors: issuesByField(validation.issues) };
  }
  const gateway = deps.gateway;
  const verdict = await plugin.verifyCredentials({
    // A key of its own per check: a PSP that replays answers per key must not answer an old check.
    idempotencyKey: `verify-${crypto.randomUUID()}`,
    deadline: gateway.clock.now() + gateway.settings.pspTimeoutMs,
    credentials: validation.credentials,
    test: mode === "test",
    http: gateway.pspHttp({
      shop,
      extension,
      plugin: plugin.manifest.id,
      reference: "verify-credentials",
      test: mode === "test",
    }),
  });
  if (!verdict.ok) return { kind: "refused", reason: verdict.reason };
  await deps.shops.connectAccount(
    { shop, extension, plugin: plugin.manifest.id, mode, callback: accountCallback(extension, mode, true) },
    validation.credentials,
  );
  deps.onCallbackQueued?.();
  return { kind: "connected" };
}

/** Removes the mode's credentials and reports it; false when that mode was not connected. */
export async function disconnectAccount(
  deps: OnboardingDeps,
  target: { readonly shop: string; readonly extension: string; readonly mode: CredentialMode },
): Promise<boolean> {
  const { extension, mode } = target;
  const error = `${DEAUTHORIZED}: the merchant disconnected the ${mode} account`;
  const done = await deps.shops.disconnectAccount({
    ...target,
    callback: accountCallback(extension, mode, false, error),
  });
  if (done) deps.onCallbackQueued?.();
  return done;
}
