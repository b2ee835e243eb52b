/**
 * Mounts the operator console (contract section 10) under /console: sign-in, overview, payments, one
 * payment's story, review queue, incidents, dead letters and audit. Every action is a POST with the session's
 * CSRF token and a reason, calls the Operations interface as the signed-in operator, and redirects (303).
 * @module
 */
import type { Context, Hono } from "hono";
import type { Operations } from "../operations/operations.ts";
import { pageHeaders, sameOriginPosts } from "../web/security.ts";
import { CsrfField, Field, Notice, Page } from "../web/page.tsx";
import {
  clientAddress,
  type ConsoleAuth,
  consoleAuth,
  type ConsoleFlash,
  type ConsoleSession,
} from "./session.ts";
import type { Session } from "../web/session.ts";
import { ConsolePage } from "./layout.tsx";
import { formatAmount } from "../../src/money/money.ts";
import { PAYMENT_STATES } from "../operations/payment_story.ts";
import { readPaymentSearch } from "../operations/payment_search.ts";

/** The search's filters as the form and the next page's link carry them. */
const SEARCH_FILTERS = ["shop", "paymentId", "pspReference", "state", "method", "from", "to"] as const;

export interface ConsoleDeps {
  readonly operations: Operations;
  readonly operatorToken?: string;
  readonly masterKey: string;
  readonly appUrl: string;
}

async function form(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === "string" ? v : ""]));
}

const SignIn = (props: { error?: string }) => (
  <Page title="Operator console sign-in" brand="Operator console">
    {props.error ? <Notice tone="bad">{props.error}</Notice> : null}
    <form method="post" action="/console/sign-in">
      <Field name="operator" label="Operator name" required autocomplete="username" />
      <Field name="token" label="Operator token" type="password" required autocomplete="current-password" />
      <button type="submit">Sign in</button>
    </form>
  </Page>
);

/**
 * An amount as people read it (100.00 USD), with the integer minor units the API and the database hold in its
 * title, so an operator can compare it with a log line or a PSP report without converting.
 */
const Amount = (props: { minor: number; currency: string }) => {
  let text: string;
  try {
    text = `${formatAmount({ amountMinor: props.minor, currency: props.currency })} ${props.currency}`;
  } catch {
    text = `${props.minor} (minor units) ${props.currency}`;
  }
  return <span title={`${props.minor} minor units`}>{text}</span>;
};

/** What an action reports: shown once on the page it returns to (a signed flash cookie, never the URL). */
type Outcome = { readonly tone: "ok" | "bad"; readonly text: string };

/** The reason an action asks for; `failedField` is the field the last action refused, if it was this one. */
const ReasonField = (props: { id: string; failedField?: string }) => {
  const name = `reason-${props.id}`;
  return (
    <Field
      name={name}
      label="Reason"
      required
      error={props.failedField === name ? "A reason is required" : undefined}
    />
  );
};

const ReasonForm = (props: {
  action: string;
  csrf: string;
  fields: Record<string, string>;
  label: string;
  id: string;
  failedField?: string;
}) => (
  <form method="post" action={props.action}>
    <CsrfField token={props.csrf} />
    {Object.entries(props.fields).map(([n, v]) => <input key={n} type="hidden" name={n} value={v} />)}
    <ReasonField id={props.id} failedField={props.failedField} />
    <button type="submit">{props.label}</button>
  </form>
);

export function mountConsole(app: Hono, deps: ConsoleDeps): void {
  if (!deps.operatorToken) return;
  const token = deps.operatorToken;
  const auth: Promise<ConsoleAuth> = consoleAuth({
    masterKey: deps.masterKey,
    operatorToken: token,
    secure: deps.appUrl.startsWith("https:"),
  });
  const ops = deps.operations;
  app.use("/console", pageHeaders({ scripts: false }));
  app.use("/console/*", pageHeaders({ scripts: false }));
  app.use("/console/*", sameOriginPosts(deps.appUrl));

  app.get("/console", (c) => c.html(<SignIn />));
  app.post("/console/sign-in", async (c) => {
    const a = await auth;
    // The connection's address, not X-Forwarded-For: a header the client writes cannot buy more attempts.
    const client = clientAddress(c);
    if (a.limited(client)) return c.html(<SignIn error="Too many attempts; wait a minute" />, 429);
    const f = await form(c);
    const operator = (f.operator ?? "").trim();
    if (operator === "" || !(await a.tokenMatches(f.token ?? ""))) {
      return c.html(<SignIn error={a.refused(client) ? "Too many attempts" : "Sign-in refused"} />, 401);
    }
    await a.jar.start(c, { operator, tokenHash: a.tokenHash });
    return c.redirect("/console/overview", 303);
  });

  /** The signed-in session, or undefined; POSTs also need the session's CSRF token. */
  async function signedIn(c: Context, a: ConsoleAuth) {
    const s = await a.jar.read(c);
    return s !== undefined && s.data.tokenHash === a.tokenHash ? s : undefined;
  }
  /** The page's one-time notice and the field it was about, taken from the flash cookie. */
  type Shown = { readonly notice?: Outcome; readonly error?: string };
  type Handler = (
    c: Context,
    s: Session<ConsoleSession>,
    shown: Shown,
  ) => Promise<Response>;
  const page = (path: string, handler: Handler) =>
    app.get(path, async (c) => {
      const a = await auth;
      const s = await signedIn(c, a);
      if (s === undefined) return c.redirect("/console", 303);
      const flash = await a.flash.read(c);
      if (flash === undefined) return handler(c, s, {});
      a.flash.end(c);
      const { tone, text, field } = flash.data;
      return handler(c, s, { notice: { tone, text }, error: field || undefined });
    });
  /** An action answers with a redirect to its list page (the pages send no Referer, by policy). */
  const action = (
    path: string,
    back: string,
    run: (f: Record<string, string>, operator: string) => Promise<Outcome>,
  ) =>
    app.post(path, async (c) => {
      const a = await auth;
      const s = await signedIn(c, a);
      if (s === undefined) return c.redirect("/console", 303);
      const f = await form(c);
      if (!a.jar.csrfMatches(s, f.csrf)) {
        return c.html(
          <Page title="Forbidden">Refused: the form's CSRF token is not this session's</Page>,
          403,
        );
      }
      const reasonKey = Object.keys(f).find((k) => k.startsWith("reason"));
      const reason = (reasonKey ? f[reasonKey] : "").trim();
      const flash: ConsoleFlash = reason === ""
        ? { tone: "bad", text: "Nothing done: a reason is required", field: reasonKey ?? "reason" }
        : { ...(await run({ ...f, reason }, s.data.operator)), field: "" };
      await a.flash.start(c, flash);
      return c.redirect(back, 303);
    });

  app.post("/console/sign-out", async (c) => {
    const a = await auth;
    const s = await signedIn(c, a);
    const f = await form(c);
    if (s !== undefined && !a.jar.csrfMatches(s, f.csrf)) return c.text("Refused", 403);
    a.jar.end(c);
    return c.redirect("/console", 303);
  });

  page("/console/overview", async (c, s, shown) => {
    const [metrics, review, incidents, dead] = await Promise.all([
      ops.metrics(),
      ops.reviewQueue(),
      ops.incidents({ all: false }),
      ops.deadLetters(),
    ]);
    return c.html(
      <ConsolePage title="Overview" current="/console/overview" notice={shown.notice}>
        <p>Signed in as {s.data.operator}.</p>
        <ul>
          <li>
            <a href="/console/review">Review queue: {review.length}</a>
          </li>
          <li>
            <a href="/console/incidents">Open incidents: {incidents.length}</a>
          </li>
          <li>
            <a href="/console/dead-letters">Dead letters: {dead.length}</a>
          </li>
        </ul>
        <form method="get" action="/console/payments">
          <Field name="paymentId" label="Find a payment by Genstore id" />
          <button type="submit">Search</button>
        </form>
        <h2>Metrics</h2>
        <div class="table-wrap">
          <pre>{JSON.stringify(metrics, null, 2)}</pre>
        </div>
        <form method="post" action="/console/sign-out">
          <CsrfField token={s.csrf} />
          <button type="submit" class="secondary">Sign out</button>
        </form>
      </ConsolePage>,
    );
  });

  page("/console/review", async (c, s, shown) => {
    const queue = await ops.reviewQueue();
    return c.html(
      <ConsolePage title="Review queue" current="/console/review" notice={shown.notice}>
        {queue.length === 0 ? <p>Nothing to review.</p> : null}
        {queue.map((op) => {
          const id = `${op.shop}-${op.kind}-${op.operationId}`;
          return (
            <section>
              <h2>{op.shop}: {op.kind} {op.operationId}</h2>
              <form method="post" action="/console/review/settle">
                <CsrfField token={s.csrf} />
                <input type="hidden" name="shop" value={op.shop} />
                <input type="hidden" name="kind" value={op.kind} />
                <input type="hidden" name="operationId" value={op.operationId} />
                <label for={`verdict-${id}`}>
                  Verdict
                  <select id={`verdict-${id}`} name="verdict">
                    <option value="succeeded">succeeded</option>
                    <option value="failed">failed</option>
                  </select>
                </label>
                <Field name={`pspReference-${id}`} label="PSP reference (optional)" />
                <ReasonField id={id} failedField={shown.error} />
                <button type="submit">Settle</button>
              </form>
            </section>
          );
        })}
      </ConsolePage>,
    );
  });
  action("/console/review/settle", "/console/review", async (f, operator) => {
    const id = `${f.shop}-${f.kind}-${f.operationId}`;
    const result = await ops.settle({
      shop: f.shop,
      kind: f.kind as "payment",
      operationId: f.operationId,
      verdict: f.verdict === "failed" ? "failed" : "succeeded",
      reason: f.reason,
      operator,
      pspReference: f[`pspReference-${id}`] || undefined,
    });
    const what = `Settle ${f.kind} ${f.operationId} as ${f.verdict}`;
    switch (result.kind) {
      case "settled":
        return { tone: "ok", text: `${what}: done, now ${result.status}; Genstore is told once` };
      case "already_final":
        return { tone: "bad", text: `${what}: nothing done, it is already final (${result.status})` };
      case "not_found":
        return { tone: "bad", text: `${what}: nothing done, no such operation in ${f.shop}` };
      case "reason_required":
        return { tone: "bad", text: `${what}: nothing done, a reason is required` };
    }
  });

  page("/console/incidents", async (c, s, shown) => {
    const list = await ops.incidents({ all: false });
    return c.html(
      <ConsolePage title="Incidents" current="/console/incidents" notice={shown.notice}>
        {list.length === 0 ? <p>No open incidents.</p> : null}
        {list.map((i) => (
          <section>
            <h2>{i.shop} #{i.id}: {i.kind}</h2>
            <p>{i.operationKind} {i.operationId}; reported {i.reported}; PSP says {i.pspSays}</p>
            <ReasonForm
              action="/console/incidents/resolve"
              csrf={s.csrf}
              fields={{ shop: i.shop, id: String(i.id) }}
              id={`${i.shop}-${i.id}`}
              label="Resolve"
              failedField={shown.error}
            />
          </section>
        ))}
      </ConsolePage>,
    );
  });
  action("/console/incidents/resolve", "/console/incidents", async (f, operator) => {
    const done = await ops.resolveIncident({ shop: f.shop, id: Number(f.id), reason: f.reason, operator });
    return done
      ? { tone: "ok", text: `Incident ${f.id} resolved` }
      : { tone: "bad", text: `Incident ${f.id}: nothing done, it was not open` };
  });

  page("/console/dead-letters", async (c, s, shown) => {
    const list = await ops.deadLetters();
    return c.html(
      <ConsolePage title="Dead letters" current="/console/dead-letters" notice={shown.notice}>
        {list.length === 0 ? <p>No dead letters.</p> : null}
        {list.map((d) => (
          <section>
            <h2>{d.shop} #{d.seq}: {d.kind} {d.targetId}</h2>
            <p>{d.attempts} attempts; last status {d.lastStatus ?? "none"}</p>
            <ReasonForm
              action="/console/dead-letters/redrive"
              csrf={s.csrf}
              fields={{ shop: d.shop, seq: String(d.seq) }}
              id={`${d.shop}-${d.seq}`}
              label="Re-drive"
              failedField={shown.error}
            />
          </section>
        ))}
      </ConsolePage>,
    );
  });
  action("/console/dead-letters/redrive", "/console/dead-letters", async (f, operator) => {
    const done = await ops.redrive({ shop: f.shop, seq: Number(f.seq), reason: f.reason, operator });
    return done
      ? { tone: "ok", text: `Dead letter ${f.seq} re-driven: it is sent again with a fresh retry budget` }
      : { tone: "bad", text: `Dead letter ${f.seq}: nothing done, it was not dead` };
  });

  page("/console/audit", async (c) => {
    const reports = await ops.verifyAudit();
    return c.html(
      <ConsolePage title="Audit" current="/console/audit">
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Shop</th>
                <th>Sealed</th>
                <th>Unsealed</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {reports.map((r) => (
                <tr>
                  <td>{r.shop}</td>
                  <td>{r.entries}</td>
                  <td>{r.unsealed}</td>
                  <td>{r.problems.length === 0 ? "intact" : r.problems.join("; ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </ConsolePage>,
    );
  });

  page("/console/payments", async (c) => {
    const q = c.req.query();
    // The same check as GET /admin/payments: a bad filter is shown by its field and searches nothing.
    const check = readPaymentSearch({ ...q, limit: "50" });
    const issues: Record<string, string> = check.ok
      ? {}
      : Object.fromEntries(check.issues.map((issue) => [issue.path, issue.message]));
    const result = check.ok ? await ops.payments(check.search) : { payments: [] };
    const next = "next" in result ? result.next : undefined;
    const filters = Object.fromEntries(
      SEARCH_FILTERS.filter((k) => (q[k] ?? "") !== "").map((k) => [k, q[k]]),
    );
    const nextQuery = new URLSearchParams({ ...filters, after: next ?? "" });
    return c.html(
      <ConsolePage title="Payments" current="/console/payments">
        <form method="get" action="/console/payments">
          <div class="search-fields">
            <Field name="shop" label="Shop" value={q.shop} placeholder="acme" error={issues.shop} />
            <Field
              name="paymentId"
              label="Genstore payment id"
              value={q.paymentId}
              error={issues.paymentId}
            />
            <Field
              name="pspReference"
              label="PSP reference"
              value={q.pspReference}
              help="of the payment or any operation"
              error={issues.pspReference}
            />
            <label for="field-state">
              Status
              <select id="field-state" name="state">
                <option value="">any</option>
                {PAYMENT_STATES.map((state) => (
                  <option value={state} selected={q.state === state}>{state}</option>
                ))}
              </select>
              {issues.state === undefined ? null : <span class="field-error">{issues.state}</span>}
            </label>
            <Field
              name="method"
              label="Method"
              value={q.method}
              placeholder="card, wallet or bank"
              error={issues.method}
            />
            <Field
              name="from"
              label="From"
              value={q.from}
              placeholder="2026-12-01"
              help="a date (UTC) or an ISO instant"
              error={issues.from}
            />
            <Field name="to" label="Before" value={q.to} placeholder="2026-12-03" error={issues.to} />
          </div>
          <button type="submit">Search</button>
        </form>
        {check.ok ? null : (
          <Notice tone="bad">
            Nothing searched: {check.issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ")}
          </Notice>
        )}
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Shop</th>
                <th>Payment</th>
                <th>State</th>
                <th>Method</th>
                <th>Amount</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {result.payments.map((p) => (
                <tr>
                  <td>{p.shop}</td>
                  <td>
                    <a
                      href={`/console/payments/${encodeURIComponent(p.shop)}/${
                        encodeURIComponent(p.paymentId)
                      }`}
                    >
                      {p.paymentId}
                    </a>
                  </td>
                  <td>{p.state}</td>
                  <td>{p.extension}</td>
                  <td>
                    <Amount minor={p.amountMinor} currency={p.currency} />
                  </td>
                  <td>{p.createdAt}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {next ? <a href={`/console/payments?${nextQuery}`}>Next page</a> : null}
      </ConsolePage>,
    );
  });

  page("/console/payments/:shop/:id", async (c) => {
    const shop = c.req.param("shop") ?? "";
    const paymentId = c.req.param("id") ?? "";
    const story = await ops.payment({ shop, paymentId });
    if (story === undefined) {
      return c.html(
        <ConsolePage title="No such payment">No payment {paymentId} in {shop}.</ConsolePage>,
        404,
      );
    }
    const p = story.payment;
    const timeline = [...story.timeline].sort((a, b) => a.at.localeCompare(b.at));
    return c.html(
      <ConsolePage title={`Payment ${p.paymentId}`} current="/console/payments">
        <p>
          <a href={`/admin/payments/${encodeURIComponent(shop)}/${encodeURIComponent(paymentId)}`}>As JSON</a>
        </p>
        <dl>
          <dt>State</dt>
          <dd>{p.state}</dd>
          <dt>Authorized</dt>
          <dd id="authorized">
            <Amount minor={p.authorizedMinor} currency={p.currency} />
          </dd>
          <dt>Captured</dt>
          <dd id="captured">
            <Amount minor={p.capturedMinor} currency={p.currency} />
          </dd>
          <dt>Refunded</dt>
          <dd id="refunded">
            <Amount minor={p.refundedMinor} currency={p.currency} />
          </dd>
          <dt>Remaining to capture</dt>
          <dd id="remaining-capture">
            <Amount minor={p.remainingToCaptureMinor} currency={p.currency} />
          </dd>
          <dt>Remaining to refund</dt>
          <dd id="remaining-refund">
            <Amount minor={p.remainingToRefundMinor} currency={p.currency} />
          </dd>
        </dl>
        <h2>Operations</h2>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Kind</th>
                <th>Id</th>
                <th>Status</th>
                <th>Amount</th>
                <th>PSP reference</th>
              </tr>
            </thead>
            <tbody>
              {story.operations.map((o) => (
                <tr>
                  <td>{o.kind}</td>
                  <td>{o.operationId}</td>
                  <td>{o.status}</td>
                  <td>
                    {o.amountMinor === undefined || o.amountMinor === null
                      ? ""
                      : <Amount minor={o.amountMinor} currency={p.currency} />}
                  </td>
                  <td>{o.pspReference ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <h2>Timeline</h2>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>At</th>
                <th>Type</th>
                <th>Summary</th>
                <th>Details</th>
              </tr>
            </thead>
            <tbody>
              {timeline.map((t) => (
                <tr>
                  <td>{t.at}</td>
                  <td>{t.type}</td>
                  <td>{t.summary}</td>
                  <td>{Object.entries(t.details).map(([k, v]) => `${k}=${v}`).join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <h2>Callbacks</h2>
        <ul>
          {story.callbacks.map((cb) => (
            <li>
              #{cb.seq} {cb.kind} {cb.targetId}: {cb.status}, {cb.attempts}{" "}
              {cb.attempts === 1 ? "attempt" : "attempts"}
              {cb.lastStatus === null ? "" : `; Genstore answered HTTP ${cb.lastStatus}`}
              {cb.lastError === null ? "" : `; last error: ${cb.lastError}`}
              {cb.status === "pending" && cb.nextAttemptAt !== null
                ? `; next attempt ${cb.nextAttemptAt}`
                : ""}
              {cb.deliveredAt === null ? "" : `; delivered ${cb.deliveredAt}`}
            </li>
          ))}
        </ul>
        <h2>Incidents</h2>
        {story.incidents.length === 0 ? <p>None.</p> : null}
        <ul>
          {story.incidents.map((i) => (
            <li key={i.id}>
              #{i.id} {i.kind} on {i.operation}: reported {i.reported}, the PSP says {i.pspSays};{" "}
              {i.resolvedAt === null
                ? `open, ${i.recommendedAction}`
                : `resolved ${i.resolvedAt}: ${i.resolution ?? ""}`}
            </li>
          ))}
        </ul>
      </ConsolePage>,
    );
  });
}
