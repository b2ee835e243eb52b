/**
 * What the account-authorization page shows, per mode: whether it is connected, the stored non-secret
 * identifiers (a field whose schema metadata says `secret` is never shown, only whether it is set), and the
 * form's fields with their values and errors.
 * @module
 */
import type { ExtensionBinding } from "../../src/mod.ts";
import type { CredentialField, CredentialForm } from "../../src/ports/psp_plugin.ts";
import type { CredentialMode } from "../store/sql_shop_store.ts";

export const MODES: readonly CredentialMode[] = ["test", "live"];

export interface FieldState {
  readonly field: CredentialField;
  /** The input's value: a stored or entered non-secret, or in dev mode the sandbox account's. */
  readonly value: string;
  /** A secret is stored for this field (shown as "set", never as its value). */
  readonly isSet: boolean;
  readonly error?: string;
}

export interface ModeState {
  readonly mode: CredentialMode;
  readonly connected: boolean;
  /** The stored non-secret values, and for each stored secret the word "set". */
  readonly identifiers: readonly {
    readonly label: string;
    readonly value: string;
    readonly secret: boolean;
  }[];
  /** The last submission for this mode failed (its form is shown open, with its messages). */
  readonly attempted: boolean;
  readonly fields: readonly FieldState[];
  /** A refusal of the last submission as a whole (the PSP's reason, an unreadable form). */
  readonly problem?: string;
  /** Dev mode: the form holds the bundled sandbox account. */
  readonly sandbox: boolean;
  /** Dev mode: a refused attempt replaced the sandbox account; reloading the page fills it in again. */
  readonly sandboxAgain: boolean;
}

/** A submission that failed, shown again with its messages (secrets are never echoed). */
export interface FailedAttempt {
  readonly mode: CredentialMode;
  readonly submitted: Readonly<Record<string, string>>;
  readonly errors: Readonly<Record<string, string>>;
  readonly problem?: string;
}

export interface ViewInput {
  readonly form: CredentialForm;
  readonly binding?: ExtensionBinding;
  /** Whether the stored binding belongs to the plugin the extension is served by (else it is not shown). */
  readonly samePlugin: boolean;
  readonly sandbox?: Readonly<Record<string, string>>;
  readonly attempt?: FailedAttempt;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function fieldState(
  field: CredentialField,
  stored: Readonly<Record<string, unknown>> | undefined,
  attempt: FailedAttempt | undefined,
  sandbox: Readonly<Record<string, string>> | undefined,
): FieldState {
  const isSet = field.secret && text(stored?.[field.name]) !== undefined;
  let value = "";
  if (attempt !== undefined) value = field.secret ? "" : attempt.submitted[field.name] ?? "";
  else if (stored !== undefined) value = field.secret ? "" : text(stored[field.name]) ?? "";
  else if (sandbox !== undefined) value = sandbox[field.name] ?? "";
  return { field, value, isSet, error: attempt?.errors[field.name] };
}

export function modeStates(input: ViewInput): ModeState[] {
  return MODES.map((mode) => {
    const stored = input.samePlugin ? input.binding?.[mode] : undefined;
    const attempt = input.attempt?.mode === mode ? input.attempt : undefined;
    // Only an unconnected test mode is prefilled: live mode never takes the sandbox's account.
    const sandbox = mode === "test" && stored === undefined ? input.sandbox : undefined;
    const fields = input.form[mode].map((field) => fieldState(field, stored, attempt, sandbox));
    const identifiers = input.form[mode].filter((field) => text(stored?.[field.name]) !== undefined)
      .map((field) => ({
        label: field.label,
        value: field.secret ? "set" : String(stored![field.name]),
        secret: field.secret,
      }));
    const known = new Set(fields.map((state) => state.field.name));
    const others = Object.entries(attempt?.errors ?? {}).filter(([name]) => !known.has(name))
      .map(([name, message]) => name === "(form)" ? message : `${name}: ${message}`);
    const formProblem = others.length === 0 ? undefined : others.join("; ");
    return {
      mode,
      connected: stored !== undefined,
      identifiers,
      fields,
      problem: attempt?.problem ?? formProblem,
      attempted: attempt !== undefined,
      sandbox: sandbox !== undefined && attempt === undefined,
      sandboxAgain: sandbox !== undefined && attempt !== undefined,
    };
  });
}
