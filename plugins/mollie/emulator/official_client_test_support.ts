/**
 * Mollie's official Node client (`@mollie/api-client`) run against the emulator, as a separate process of
 * official_client_test.ts: `create <apiEndpoint>` creates a payment and reads it back, `refund <apiEndpoint>
 * <paymentId>` refunds it in part and reads both back, `invalid <apiEndpoint>` sends a payment without a
 * description. Each prints one JSON line. The API key comes from MOLLIE_API_KEY.
 *
 * The client speaks only https (it always passes an https.Agent) and trusts only the CA bundle it ships (it
 * replaces any `caCertificates` given to it), so the test serves the emulator over TLS with a throwaway
 * certificate and starts this process with NODE_TLS_REJECT_UNAUTHORIZED=0: only this process, only loopback.
 * @module
 */
import { createMollieClient } from "@mollie/api-client";

const [command, apiEndpoint, paymentId] = Deno.args;
const apiKey = Deno.env.get("MOLLIE_API_KEY") ?? "";
const client = createMollieClient({ apiKey, apiEndpoint });

async function run(): Promise<unknown> {
  switch (command) {
    case "create": {
      const created = await client.payments.create({
        amount: { currency: "EUR", value: "10.00" },
        description: "Official client order",
        redirectUrl: "https://shop.example/return/official",
        metadata: { reference: "official-client-1" },
      });
      const fetched = await client.payments.get(created.id);
      return {
        id: created.id,
        status: created.status,
        checkoutUrl: created.getCheckoutUrl(),
        fetchedId: fetched.id,
        fetchedAmount: fetched.amount,
        metadata: fetched.metadata,
      };
    }
    case "refund": {
      const refund = await client.paymentRefunds.create({
        paymentId,
        amount: { currency: "EUR", value: "2.50" },
        metadata: { reference: "official-refund-1" },
      });
      const again = await client.paymentRefunds.get(refund.id, { paymentId });
      const payment = await client.payments.get(paymentId);
      const listed = await client.paymentRefunds.page({ paymentId });
      return {
        refundId: refund.id,
        refundStatus: refund.status,
        againId: again.id,
        paymentStatus: payment.status,
        amountRemaining: payment.amountRemaining,
        listed: listed.map((entry) => entry.id),
      };
    }
    case "invalid": {
      try {
        await client.payments.create({
          amount: { currency: "EUR", value: "10.00" },
          description: "",
          redirectUrl: "https://shop.example/return/official",
        });
        return { thrown: false };
      } catch (error) {
        const apiError = error as { statusCode?: number; field?: string; title?: string };
        return {
          thrown: true,
          statusCode: apiError.statusCode,
          field: apiError.field,
          title: apiError.title,
        };
      }
    }
    default:
      throw new Error(`Cannot run the official client: unknown command ${command}`);
  }
}

console.log(JSON.stringify(await run()));
