/**
 * The demo shop's page: a checkout form (card with the sandbox's cards, wallet, bank), the shop's payments as
 * the database has them with each row's result, reason and only the actions its state allows, and the last
 * callbacks the dev Genstore inbox received. It refreshes itself while a row waits for the PSP; no script.
 * @module
 */
import type { FC } from "hono/jsx";
import { ActionButton, CsrfField, Field, Notice, Page } from "../web/page.tsx";
import type { ReceivedCallback } from "./genstore_inbox.ts";
import { ADMIN_PATH } from "./genstore_admin_page.tsx";
import type { Outcome } from "./demo_shop_requests.ts";
import { METHODS, type RowView, SANDBOX_CARDS } from "./demo_shop_view.ts";

export const SHOP_PATHS = { page: "/", pay: "/_dev/shop/pay", action: "/_dev/shop/action" } as const;
export const DEMO_CURRENCIES = ["USD", "EUR", "GBP"] as const;
const REFRESH_SECONDS = 2;

export interface DemoShopPageProps {
  readonly csrf: string;
  readonly notices: readonly Outcome[];
  readonly rows: readonly (RowView & { readonly link?: string })[];
  readonly callbacks: readonly ReceivedCallback[];
  /** The payments could not be read (the database did not answer). */
  readonly unreadable?: boolean;
}

export const DemoShopPage: FC<DemoShopPageProps> = (props) => {
  const waiting = props.rows.some((row) => row.waiting);
  return (
    <Page
      title="Demo shop"
      brand="Genstore demo shop (dev mode)"
      nav={[
        { href: SHOP_PATHS.page, label: "Demo shop", current: true },
        { href: ADMIN_PATH, label: "Genstore admin" },
        { href: "/openapi.json", label: "API (OpenAPI)" },
      ]}
      refreshSeconds={waiting ? REFRESH_SECONDS : undefined}
    >
      <p class="lead">
        This page plays Genstore's checkout and admin for shop{" "}
        <code>demo</code>: it encrypts the card to the gateway's key, signs each request and shows the
        gateway's answer. The payments below are read from the gateway's database; the gateway's callbacks
        arrive in the dev Genstore inbox at the bottom.
      </p>
      {props.notices.map((notice) => (
        <Notice tone={notice.tone}>
          {notice.text}
          {notice.link === undefined ? null : (
            <>
              {" "}
              <a href={notice.link} class="button">Open the PSP's page</a>
            </>
          )}
        </Notice>
      ))}
      <PayForm csrf={props.csrf} />
      <h2 id="payments-title">Payments</h2>
      {waiting
        ? (
          <p class="muted" role="status">
            A payment is waiting for the PSP: this page refreshes every {REFRESH_SECONDS}{" "}
            s until every row is final.
          </p>
        )
        : null}
      {props.unreadable
        ? <Notice tone="bad">The payments could not be read from the database; reload the page.</Notice>
        : <PaymentTable rows={props.rows} csrf={props.csrf} />}
      <h2>Callbacks received by the Genstore inbox</h2>
      <CallbackList callbacks={props.callbacks} />
    </Page>
  );
};

const PayForm: FC<{ readonly csrf: string }> = (props) => (
  <form method="post" action={SHOP_PATHS.pay} class="pay-form" aria-label="Pay">
    <CsrfField token={props.csrf} />
    <label for="pay-method">
      Payment method
      <select id="pay-method" name="method">
        {METHODS.map((method) => (
          <option value={method}>
            {method === "card"
              ? "card (Adyen sandbox)"
              : method === "wallet"
              ? "wallet (PayPal sandbox: approval page)"
              : "bank (Mollie sandbox: bank page)"}
          </option>
        ))}
      </select>
    </label>
    <label for="pay-card" class="wide">
      Sandbox card (card method)
      <select id="pay-card" name="card">
        {SANDBOX_CARDS.map((card) => (
          <option key={card.number} value={card.number}>{card.number} ({card.outcome})</option>
        ))}
      </select>
    </label>
    <Field name="amount" label="Amount (e.g. 10.00)" value="10.00" />
    <label for="pay-currency">
      Currency
      <select id="pay-currency" name="currency">
        {DEMO_CURRENCIES.map((currency) => <option key={currency} value={currency}>{currency}</option>)}
      </select>
    </label>
    <label for="pay-manual" class="check">
      <input id="pay-manual" type="checkbox" name="manualCapture" value="on" />
      Authorize only (capture later)
    </label>
    <div class="actions">
      <button type="submit">Pay</button>
    </div>
  </form>
);

const PaymentTable: FC<{ readonly rows: DemoShopPageProps["rows"]; readonly csrf: string }> = (props) => {
  if (props.rows.length === 0) return <p class="muted">No payment yet: pay with the form above.</p>;
  return (
    <table class="stacked payments" aria-labelledby="payments-title">
      <thead>
        <tr>
          <th scope="col">Payment</th>
          <th scope="col">Amount</th>
          <th scope="col">State and result</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => <PaymentRow key={row.paymentId} row={row} csrf={props.csrf} />)}
      </tbody>
    </table>
  );
};

const PaymentRow: FC<{ readonly row: DemoShopPageProps["rows"][number]; readonly csrf: string }> = (
  { row, csrf },
) => (
  <tr id={`payment-${row.paymentId}`} data-state={row.state}>
    <td data-label="Payment">
      <div>
        <code class="payment-id">{row.paymentId}</code> <span class="badge method">{row.method}</span>
        <br />
        <a href={`/console/payments/demo/${encodeURIComponent(row.paymentId)}`}>console page</a>
      </div>
    </td>
    <td data-label="Amount">
      <div>
        <span class="amount">{row.amount}</span>
        <br />
        <span class="muted amounts">captured {row.captured} · refunded {row.refunded}</span>
      </div>
    </td>
    <td data-label="State">
      <div>
        <span class={`badge ${row.tone} state`}>{row.state.replaceAll("_", " ")}</span>
        {row.waiting
          ? (
            <span class="waiting">
              {" "}
              {row.state === "requires_action" ? "waiting for the buyer at the PSP…" : "waiting for the PSP…"}
            </span>
          )
          : null}
        {row.waiting && row.link !== undefined
          ? (
            <>
              {" "}
              <a href={row.link} class="psp-link">open the PSP's page</a>
            </>
          )
          : null}
        {row.reason === undefined ? null : (
          <div class="reason">
            {row.reasonOf === undefined ? "" : `${row.reasonOf} failed: `}
            <span class="mono">{row.reason}</span>
          </div>
        )}
      </div>
    </td>
    <td data-label="Actions">
      <div>
        <RowActions row={row} csrf={csrf} />
      </div>
    </td>
  </tr>
);

const RowActions: FC<{ readonly row: RowView; readonly csrf: string }> = ({ row, csrf }) => {
  if (row.capture === undefined && !row.void && row.refund === undefined) {
    return <span class="muted">{row.waiting ? "none until the PSP answers" : "none"}</span>;
  }
  return (
    <div class="row-actions">
      {row.capture === undefined
        ? null
        : <AmountAction row={row} csrf={csrf} action="capture" label="Capture" amount={row.capture} />}
      {row.void
        ? (
          <ActionButton
            action={SHOP_PATHS.action}
            label="Void"
            csrf={csrf}
            fields={{ paymentId: row.paymentId, action: "void" }}
            tone="secondary"
          />
        )
        : null}
      {row.refund === undefined
        ? null
        : <AmountAction row={row} csrf={csrf} action="refund" label="Refund" amount={row.refund} />}
    </div>
  );
};

const AmountAction: FC<{
  readonly row: RowView;
  readonly csrf: string;
  readonly action: "capture" | "refund";
  readonly label: string;
  readonly amount: string;
}> = (props) => (
  <form method="post" action={SHOP_PATHS.action} class="amount-action">
    <CsrfField token={props.csrf} />
    <input type="hidden" name="paymentId" value={props.row.paymentId} />
    <input type="hidden" name="action" value={props.action} />
    <input
      name="amount"
      value={props.amount}
      inputmode="decimal"
      autocomplete="off"
      aria-label={`${props.label} amount of ${props.row.paymentId}`}
    />
    <button type="submit">{props.label}</button>
  </form>
);

const CallbackList: FC<{ readonly callbacks: readonly ReceivedCallback[] }> = (props) => {
  if (props.callbacks.length === 0) {
    return <p class="muted">No callback received since the gateway started.</p>;
  }
  return (
    <>
      <ul class="callbacks">
        {props.callbacks.slice(0, 10).map((callback) => {
          const body = (callback.body ?? {}) as { status?: unknown; error?: unknown };
          return (
            <li>
              <span class="muted">{callback.at.slice(11, 19)}</span>{" "}
              <code>{callback.kind}{callback.id === "" ? "" : `/${callback.id}`}</code>{" "}
              <span class={`badge ${body.status === true ? "ok" : "bad"}`}>{String(body.status)}</span>
              {typeof body.error === "string" ? <span class="muted">{body.error}</span> : null}
            </li>
          );
        })}
      </ul>
      <p class="muted">
        The last ten (of every shop); the full bodies are on the <a href={ADMIN_PATH}>Genstore admin</a>.
      </p>
    </>
  );
};
