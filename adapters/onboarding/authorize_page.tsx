/**
 * The account-authorization page of one shop's extension: per mode, the connection state and a form built
 * from the plugin's credential schema, and a Disconnect button. Every form carries the session's CSRF token
 * and the shop it is for.
 * @module
 */
import type { FC } from "hono/jsx";
import { ONBOARDING_ROUTES } from "../genstore/onboarding_wire.ts";
import { ActionButton, CsrfField, Notice, type NoticeTone, Page } from "../web/page.tsx";
import type { FieldState, ModeState } from "./authorize_view.ts";

export interface AuthorizePageProps {
  readonly shop: string;
  readonly extension: string;
  /** The plugin's display name (its manifest). */
  readonly pluginName: string;
  readonly csrf: string;
  readonly modes: readonly ModeState[];
  readonly notice?: { readonly tone: NoticeTone; readonly text: string };
}

const MODE_NAMES = { test: "Test mode", live: "Live mode" } as const;

const CredentialInput: FC<{ readonly mode: string; readonly state: FieldState }> = ({ mode, state }) => {
  const { field } = state;
  const id = `${mode}-${field.name}`;
  const help = field.secret && state.isSet
    ? `Set. Leave empty to keep it, or enter a new one.${field.help ? ` ${field.help}` : ""}`
    : field.help;
  const describedBy = [help ? `${id}-help` : "", state.error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <label for={id}>
      {field.required ? field.label : `${field.label} (optional)`}
      {help === undefined ? null : <span class="help" id={`${id}-help`}>{help}</span>}
      <input
        id={id}
        name={field.name}
        type={field.secret ? "password" : "text"}
        value={state.value}
        required={field.required && !state.isSet}
        autocomplete={field.secret ? "new-password" : "off"}
        spellcheck={false}
        aria-invalid={state.error ? "true" : undefined}
        aria-describedby={describedBy || undefined}
      />
      {state.error === undefined ? null : <span class="field-error" id={`${id}-error`}>{state.error}</span>}
    </label>
  );
};

const CredentialsForm: FC<{ readonly props: AuthorizePageProps; readonly state: ModeState }> = (
  { props, state },
) => (
  <form
    method="post"
    action={ONBOARDING_ROUTES.authorize(props.extension)}
    class="stack"
    aria-label={`${MODE_NAMES[state.mode]} credentials`}
  >
    <CsrfField token={props.csrf} />
    <input type="hidden" name="shop" value={props.shop} />
    <input type="hidden" name="mode" value={state.mode} />
    {state.fields.map((field) => <CredentialInput key={field.field.name} mode={state.mode} state={field} />)}
    <div class="actions">
      <button type="submit">
        {state.connected ? `Save ${state.mode} account` : `Connect ${state.mode} account`}
      </button>
    </div>
  </form>
);

const ModeCard: FC<{ readonly props: AuthorizePageProps; readonly state: ModeState }> = (
  { props, state },
) => {
  const name = MODE_NAMES[state.mode];
  const action = ONBOARDING_ROUTES.authorize(props.extension);
  return (
    <section class="card" aria-labelledby={`${state.mode}-title`}>
      <h2 id={`${state.mode}-title`}>
        {name} {state.connected
          ? <span class="badge ok">Connected</span>
          : <span class="badge wait">Not connected</span>}
      </h2>
      {state.identifiers.length === 0 ? null : (
        <dl class="facts">
          {state.identifiers.map((item) => (
            <>
              <dt>{item.label}</dt>
              <dd class={item.secret ? "muted" : "mono"}>{item.secret ? "set (never shown)" : item.value}</dd>
            </>
          ))}
        </dl>
      )}
      {state.problem === undefined ? null : <Notice tone="bad">{state.problem}</Notice>}
      {state.sandbox
        ? (
          <p class="muted">
            Dev mode: filled in with the bundled sandbox account (the sandbox refuses any other key). Submit
            it as it stands to connect.
          </p>
        )
        : null}
      {state.sandboxAgain
        ? (
          <p class="muted">
            Dev mode: <a href={action}>fill in the bundled sandbox account again</a>.
          </p>
        )
        : null}
      {state.connected
        ? (
          <details open={state.attempted}>
            <summary>Change the {state.mode} account</summary>
            <CredentialsForm props={props} state={state} />
          </details>
        )
        : <CredentialsForm props={props} state={state} />}
      {state.connected
        ? (
          <p class="actions">
            <ActionButton
              action={ONBOARDING_ROUTES.disconnect(props.extension)}
              label={`Disconnect ${state.mode} account`}
              csrf={props.csrf}
              fields={{ shop: props.shop, mode: state.mode }}
              tone="danger"
            />
          </p>
        )
        : null}
    </section>
  );
};

export const AuthorizePage: FC<AuthorizePageProps> = (props) => (
  <Page title={`Connect your ${props.pluginName} account`} brand="Genstore payment gateway: onboarding">
    <p class="lead">
      Shop <strong>{props.shop}</strong>, extension{" "}
      <strong>{props.extension}</strong>. Test orders use the test account, live orders the live account; each
      is checked with the PSP before it is saved.
    </p>
    {props.notice === undefined ? null : <Notice tone={props.notice.tone}>{props.notice.text}</Notice>}
    <div class="cards">
      {props.modes.map((state) => <ModeCard key={state.mode} props={props} state={state} />)}
    </div>
    <p class="muted">
      Secrets are stored encrypted and never shown again. Genstore is told of every connection and
      disconnection.
    </p>
  </Page>
);
