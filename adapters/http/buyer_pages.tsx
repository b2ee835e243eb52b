/**
 * The few pages a buyer may see on the gateway itself: where a return lands when there is nowhere to send the
 * buyer on, and the forwarding page for a PSP step that needs a POST (a 3-D Secure form). Built on the web
 * kit (hono/jsx escapes every value); the routes put the kit's strict headers on them.
 * @module
 */
import type { Context } from "hono";
import { Notice, Page } from "../web/page.tsx";

const BRAND = "Payment";

export function paymentStatusPage(c: Context, status: string): Response | Promise<Response> {
  return c.html(
    <Page title="Your payment" brand={BRAND}>
      <Notice tone="ok">The payment is {status}.</Notice>
      <p>You can close this page and go back to the shop.</p>
    </Page>,
  );
}

export function unknownPaymentPage(c: Context, what: string): Response | Promise<Response> {
  return c.html(
    <Page title="Your payment" brand={BRAND}>
      <Notice tone="bad">{what}</Notice>
      <p>Go back to the shop and look at your order there.</p>
    </Page>,
    404,
  );
}

/** A form the buyer submits to the PSP (with the button, or the keyboard): no script needed or allowed. */
export function forwardPage(
  c: Context,
  redirect: {
    readonly url: string;
    readonly method: string;
    readonly data?: Readonly<Record<string, string>>;
  },
): Response | Promise<Response> {
  return c.html(
    <Page title="Continue to your bank" brand={BRAND}>
      <form method={redirect.method === "GET" ? "get" : "post"} action={redirect.url}>
        {Object.entries(redirect.data ?? {}).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <p>Your bank needs to confirm this payment.</p>
        <button type="submit">Continue</button>
      </form>
    </Page>,
  );
}
