/**
 * The account-authorization routes of an extension (contract section 9): the page, opened from Genstore with
 * a signed launch (which starts a session bound to the shop and extension) or within that session; the form
 * POST that connects a mode's account; and the Disconnect POST. Every POST needs the session, its CSRF token
 * and the session's shop in the form.
 * @module
 */
import type { Context, Hono } from "hono";
import { z } from "zod";
import type { LoadedPlugin } from "../../src/mod.ts";
import { type CredentialForm, issuesByField } from "../../src/ports/psp_plugin.ts";
import { ONBOARDING_ROUTES } from "../genstore/onboarding_wire.ts";
import type { CredentialMode } from "../store/sql_shop_store.ts";
import { readForm } from "../web/forms.ts";
import type { NoticeTone } from "../web/page.tsx";
import type { Session } from "../web/session.ts";
import { connectAccount, credentialsFrom, disconnectAccount } from "./accounts.ts";
import { AuthorizePage } from "./authorize_page.tsx";
import { type FailedAttempt, modeStates } from "./authorize_view.ts";
import type { OnboardingDeps } from "./deps.ts";
import { checkLaunch } from "./launch.ts";
import { problemPage, START_AGAIN } from "./problem_page.tsx";
import type { AuthorizeSession, OnboardingSessions, Prepared } from "./sessions.ts";

const POST_FORM = z.looseObject({
  csrf: z.string().max(200),
  shop: z.string().max(100),
  mode: z.enum(["test", "live"], { error: "Choose test or live mode" }),
});

export interface Extension {
  readonly name: string;
  readonly plugin: LoadedPlugin;
  readonly form: CredentialForm;
}

/** The extensions with their plugin and its credential form (static: read once, from each plugin's worker). */
export async function loadExtensions(deps: OnboardingDeps): Promise<ReadonlyMap<string, Extension>> {
  const extensions = new Map<string, Extension>();
  for (const [name, pluginId] of deps.extensionPlugins) {
    const plugin = deps.gateway.plugins.get(pluginId);
    if (plugin !== undefined) extensions.set(name, { name, plugin, form: await plugin.credentialForm() });
  }
  return extensions;
}

export function registerAuthorizeRoutes(app: Hono, deps: OnboardingDeps, prepared: Promise<Prepared>): void {
  async function handle(
    c: Context,
    then: (sessions: OnboardingSessions, extension: Extension) => Promise<Response>,
  ): Promise<Response> {
    const { sessions, extensions } = await prepared;
    return await withExtension(
      c,
      extensions.get(c.req.param("extension") ?? ""),
      (ext) => then(sessions, ext),
    );
  }
  app.get("/v1/ext/:extension/authorize", (c) => handle(c, (sessions, ext) => show(c, deps, sessions, ext)));
  app.post(
    "/v1/ext/:extension/authorize",
    (c) => handle(c, (sessions, ext) => submit(c, deps, sessions, ext, "connect")),
  );
  app.post(
    "/v1/ext/:extension/authorize/disconnect",
    (c) => handle(c, (sessions, ext) => submit(c, deps, sessions, ext, "disconnect")),
  );
}

function withExtension(
  c: Context,
  extension: Extension | undefined,
  then: (extension: Extension) => Promise<Response>,
): Promise<Response> | Response {
  if (extension !== undefined) return then(extension);
  return problemPage(c, 404, {
    title: "No such payment extension",
    happened: "This gateway serves no payment extension of that name.",
    next: START_AGAIN,
  });
}

function notInstalled(c: Context, shop: string): Response | Promise<Response> {
  return problemPage(c, 403, {
    title: "The app is not installed",
    happened:
      `The app is not installed for shop ${shop}, so there is no way to tell Genstore about an account.`,
    next: `${START_AGAIN} Install the app first, then choose Authorize.`,
  });
}

async function show(
  c: Context,
  deps: OnboardingDeps,
  sessions: OnboardingSessions,
  extension: Extension,
): Promise<Response> {
  const jar = sessions.authorize(extension.name);
  if (c.req.query("hmac") !== undefined) {
    const launch = await checkLaunch(c, deps);
    if (!launch.ok) {
      return problemPage(c, launch.status, {
        title: "Account authorization not opened",
        happened: launch.problem,
        next: `${START_AGAIN} Choose Authorize there.`,
      });
    }
    if (await deps.shops.accessToken(launch.shop) === undefined) return notInstalled(c, launch.shop);
    await jar.start(c, { shop: launch.shop, extension: extension.name });
    // Without the launch's parameters in the address bar, a reload keeps working once they have expired.
    return c.redirect(ONBOARDING_ROUTES.authorize(extension.name), 303);
  }
  const session = await jar.read(c);
  if (session === undefined || session.data.extension !== extension.name) return noSession(c);
  if (await deps.shops.accessToken(session.data.shop) === undefined) {
    return notInstalled(c, session.data.shop);
  }
  return await renderPage(c, deps, extension, session, 200, {
    notice: await outcomeNotice(c, deps, session),
  });
}

function noSession(c: Context): Response | Promise<Response> {
  return problemPage(c, 401, {
    title: "Please open this page from Genstore",
    happened:
      "There is no account-authorization session in this browser, or it has expired (after one hour).",
    next: `${START_AGAIN} Choose Authorize there to open this page again.`,
  });
}

const MODE_NAME = { test: "Test mode", live: "Live mode" } as const;

/** What the last POST did, as its 303 told the page; shown only where the stored state agrees. */
async function outcomeNotice(
  c: Context,
  deps: OnboardingDeps,
  session: Session<AuthorizeSession>,
): Promise<{ tone: NoticeTone; text: string } | undefined> {
  const { shop, extension } = session.data;
  if (c.req.query("installed") === "1") {
    return {
      tone: "ok",
      text: `The app is installed for ${shop}. Now connect the account its ${extension} payments go to: ` +
        "test mode first, to try it.",
    };
  }
  const mode = c.req.query("mode");
  if (mode !== "test" && mode !== "live") return undefined;
  const connected = (await deps.shops.findBinding(shop, extension))?.[mode] !== undefined;
  switch (c.req.query("done")) {
    case "connected":
      return connected
        ? {
          tone: "ok",
          text:
            `${MODE_NAME[mode]} is connected: the PSP accepted the credentials and Genstore is being told. ` +
            (mode === "test"
              ? "Try a test order; connect the live account when the shop is ready for real orders."
              : "Real orders are paid to this account from now on."),
        }
        : undefined;
    case "disconnected":
      return connected ? undefined : {
        tone: "ok",
        text: `${MODE_NAME[mode]} is disconnected: its credentials are deleted and Genstore is being told. ` +
          `${mode === "test" ? "Test" : "Live"} payments are refused until an account is connected again.`,
      };
    case "unchanged":
      return { tone: "wait", text: `${MODE_NAME[mode]} was not connected: nothing changed.` };
    default:
      return undefined;
  }
}

async function renderPage(
  c: Context,
  deps: OnboardingDeps,
  extension: Extension,
  session: Session<AuthorizeSession>,
  status: 200 | 400,
  extra: { notice?: { tone: NoticeTone; text: string }; attempt?: FailedAttempt },
): Promise<Response> {
  const binding = await deps.shops.findBinding(session.data.shop, extension.name);
  const modes = modeStates({
    form: extension.form,
    binding,
    samePlugin: binding?.plugin === extension.plugin.manifest.id,
    sandbox: deps.sandboxAccount?.(extension.name),
    attempt: extra.attempt,
  });
  return c.html(
    <AuthorizePage
      shop={session.data.shop}
      extension={extension.name}
      pluginName={extension.plugin.manifest.displayName}
      csrf={session.csrf}
      modes={modes}
      notice={extra.notice}
    />,
    status,
  );
}

/** A POST that passed every check: the session's shop, the mode, and the submitted fields. */
interface Submission {
  readonly session: Session<AuthorizeSession>;
  readonly mode: CredentialMode;
  readonly raw: Readonly<Record<string, string>>;
}

/**
 * The checks of every POST, in order: a session of this extension, a readable form, the session's CSRF
 * token and shop, a known mode, an installed shop. Each failure answers its page; nothing is stored.
 */
async function checkSubmission(
  c: Context,
  deps: OnboardingDeps,
  sessions: OnboardingSessions,
  extension: Extension,
): Promise<Submission | Response> {
  const jar = sessions.authorize(extension.name);
  const session = await jar.read(c);
  if (session === undefined || session.data.extension !== extension.name) return await noSession(c);
  const form = await readForm(c, POST_FORM);
  if (form.ok === false && form.malformed !== undefined) {
    return await problemPage(c, form.malformed.includes("too large") ? 413 : 400, {
      title: "The form was not accepted",
      happened: `${form.malformed}.`,
      next: "Go back, reload the page and submit the form again.",
    });
  }
  if (!jar.csrfMatches(session, form.raw.csrf) || form.raw.shop !== session.data.shop) {
    return await problemPage(c, 403, {
      title: "The form was not accepted",
      happened: "The form does not belong to this browser's session (another shop's page was opened since, " +
        "or the form came from elsewhere).",
      next: `Reload the page, or ${START_AGAIN.charAt(0).toLowerCase()}${START_AGAIN.slice(1)}`,
    });
  }
  if (!form.ok) {
    return await renderPage(c, deps, extension, session, 400, {
      notice: { tone: "bad", text: form.errors.mode ?? "The form could not be read." },
    });
  }
  if (await deps.shops.accessToken(session.data.shop) === undefined) {
    return await notInstalled(c, session.data.shop);
  }
  return { session, mode: form.data.mode, raw: form.raw };
}

async function submit(
  c: Context,
  deps: OnboardingDeps,
  sessions: OnboardingSessions,
  extension: Extension,
  action: "connect" | "disconnect",
): Promise<Response> {
  const checked = await checkSubmission(c, deps, sessions, extension);
  if (checked instanceof Response) return checked;
  const { session, mode, raw } = checked;
  const target = { shop: session.data.shop, extension: extension.name, mode };
  const back = (done: string) =>
    c.redirect(`${ONBOARDING_ROUTES.authorize(extension.name)}?done=${done}&mode=${mode}`, 303);
  if (action === "disconnect") {
    return back(await disconnectAccount(deps, target) ? "disconnected" : "unchanged");
  }
  const binding = await deps.shops.findBinding(target.shop, extension.name);
  const stored = binding?.plugin === extension.plugin.manifest.id ? binding[mode] : undefined;
  const entered = credentialsFrom(extension.form[mode], raw, stored);
  const failed = (errors: Record<string, string>, problem?: string) =>
    renderPage(c, deps, extension, session, 400, {
      notice: { tone: "bad", text: `${MODE_NAME[mode]} was not connected: nothing was saved.` },
      attempt: { mode, submitted: raw, errors, problem },
    });
  if (Object.keys(entered.errors).length > 0) {
    // Show every field's problem at once: the schema's messages for the fields that were filled in too.
    const check = await extension.plugin.validateCredentials(mode, entered.values);
    return await failed({ ...(check.ok ? {} : issuesByField(check.issues)), ...entered.errors });
  }
  const result = await connectAccount(deps, target, extension.plugin, entered.values);
  switch (result.kind) {
    case "connected":
      return back("connected");
    case "invalid":
      return await failed({ ...result.errors });
    case "refused":
      return await failed({}, `The PSP refused these credentials: ${result.reason}.`);
  }
}
