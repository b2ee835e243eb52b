/**
 * The frame every gateway page shares (onboarding, console, demo shop, dev Genstore): hono/jsx, which
 * escapes every value by default, the stylesheet and scripts served from /assets (the CSP allows nothing
 * inline), a skip link and a navigation bar usable from the keyboard.
 * @module
 */
import type { Child, FC, PropsWithChildren } from "hono/jsx";

export interface PageProps {
  readonly title: string;
  /** Links of the navigation bar, current page first or wherever it belongs. */
  readonly nav?: readonly { readonly href: string; readonly label: string; readonly current?: boolean }[];
  /** Which product the page belongs to, shown as the bar's brand. */
  readonly brand?: string;
  /** Scripts under /assets, loaded deferred (`demo.js`). */
  readonly scripts?: readonly string[];
  /** Reloads the page after this many seconds (a meta refresh: pages that wait for something need no script). */
  readonly refreshSeconds?: number;
}

export const Page: FC<PropsWithChildren<PageProps>> = (props) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width,initial-scale=1" />
      <meta name="referrer" content="no-referrer" />
      {props.refreshSeconds === undefined
        ? null
        : <meta http-equiv="refresh" content={String(props.refreshSeconds)} />}
      <title>{props.title}</title>
      <link rel="stylesheet" href="/assets/app.css" />
      {(props.scripts ?? []).map((script) => <script key={script} src={`/assets/${script}`} defer></script>)}
    </head>
    <body>
      <header class="bar">
        <span class="brand">{props.brand ?? "Genstore payment gateway"}</span>
        {props.nav === undefined ? null : (
          <nav aria-label="Main">
            {props.nav.map((link) => (
              <>
                <a href={link.href} aria-current={link.current ? "page" : undefined}>{link.label}</a>
                {" "}
              </>
            ))}
          </nav>
        )}
      </header>
      <main id="main">
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </body>
  </html>
);

export type NoticeTone = "ok" | "bad" | "wait";

/** A message that says what happened and what to do next; announced to screen readers. */
export const Notice: FC<PropsWithChildren<{ readonly tone: NoticeTone }>> = (props) => (
  <div class={`notice ${props.tone}`} role={props.tone === "bad" ? "alert" : "status"}>{props.children}</div>
);

export interface FieldProps {
  readonly name: string;
  readonly label: string;
  readonly value?: string;
  readonly type?: "text" | "password" | "email" | "number" | "url";
  readonly help?: string;
  readonly error?: string;
  readonly required?: boolean;
  readonly autocomplete?: string;
  readonly placeholder?: string;
}

/** A labelled input with its help and, next to it, its error. */
export const Field: FC<FieldProps> = (props) => {
  const id = `field-${props.name}`;
  const describedBy = [props.help ? `${id}-help` : "", props.error ? `${id}-error` : ""].filter(Boolean).join(
    " ",
  );
  return (
    <label for={id}>
      {props.label}
      {props.help === undefined ? null : <span class="help" id={`${id}-help`}>{props.help}</span>}
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value}
        required={props.required}
        autocomplete={props.autocomplete ?? "off"}
        placeholder={props.placeholder}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={describedBy || undefined}
      />
      {props.error === undefined ? null : <span class="field-error" id={`${id}-error`}>{props.error}</span>}
    </label>
  );
};

/** The hidden CSRF field every form carries. */
export const CsrfField: FC<{ readonly token: string }> = (props) => (
  <input type="hidden" name="csrf" value={props.token} />
);

/** A small form with one button that POSTs `fields` to `action` (a state-changing action is never a link). */
export const ActionButton: FC<{
  readonly action: string;
  readonly label: Child;
  readonly csrf: string;
  readonly fields?: Readonly<Record<string, string>>;
  readonly tone?: "secondary" | "danger";
}> = (props) => (
  <form method="post" action={props.action} class="inline">
    <CsrfField token={props.csrf} />
    {Object.entries(props.fields ?? {}).map(([name, value]) => (
      <input type="hidden" name={name} value={value} />
    ))}
    <button type="submit" class={props.tone}>{props.label}</button>
  </form>
);
