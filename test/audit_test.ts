/**
 * The audit trail: flows leave a hash-chained entry for every state change, PSP exchange, callback attempt
 * and operator action; `verifyAudit` (and `deno task audit verify`) finds any edited or deleted entry.
 */
import { match, ok, strictEqual as equal } from "node:assert/strict";
import { sealAudit, verifyAudit } from "../adapters/store/sql_audit.ts";
import { newId, startHarness } from "./support/harness.ts";

Deno.test({
  name: "audit trail records every kind of event and detects edits and deletions",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const h = await startHarness({ env: { OPERATOR_TOKEN: "audit-operator" } });
    const db = h.gateway.db;
    try {
      const id = newId("PI");
      await h.client.pay({ paymentId: id, amount: "12.00", manualCapture: true });
      await h.genstore.waitForCallback("pre_authorize", id);
      const captureId = newId("CA");
      await h.client.capture(captureId, id, "12.00");
      await h.genstore.waitForCallback("capture", captureId);
      await (await fetch(`${h.gateway.url}/admin/incidents/demo/999/resolve`, {
        method: "POST",
        headers: { authorization: "Bearer audit-operator", "content-type": "application/json" },
        body: JSON.stringify({ reason: "nothing to resolve" }),
      })).body?.cancel();
      await db.query(
        "INSERT INTO operator_actions (shop, action, target, reason, operator) VALUES ('demo', 'note', 'x', 'test', 'ada')",
      );

      // The sealer chains entries off the request path; seal now rather than wait for its next round.
      await sealAudit(db);

      await t.step("every kind of event is in the shop's chain", async () => {
        const kinds = new Set(
          (await db.query<{ kind: string }>("SELECT DISTINCT kind FROM audit_log WHERE shop = 'demo'")).map((
            r,
          ) => r.kind),
        );
        for (
          const kind of [
            "operation.insert",
            "operation.update",
            "payment.insert",
            "payment.update",
            "psp.exchange",
            "callback.attempt",
            "operator.note",
          ]
        ) ok(kinds.has(kind), `${kind} in ${[...kinds].join(", ")}`);
        const exchanges = await db.query<{ payload: string }>(
          "SELECT payload FROM audit_log WHERE shop = 'demo' AND kind = 'psp.exchange'",
        );
        for (const { payload } of exchanges) {
          const fields = Object.keys(JSON.parse(payload)).sort().join(",");
          ok(/^(detail,)?durationMs,host,method,operation,(result|status)$/.test(fields), fields);
        }
      });

      await t.step("an intact trail verifies", async () => {
        const reports = await verifyAudit(db);
        const demo = reports.find((r) => r.shop === "demo")!;
        ok(demo.entries >= 10);
        equal(demo.problems.length, 0, demo.problems.join("; "));
      });

      await t.step("the database refuses edits and deletions", async () => {
        const refused = await db.query("UPDATE audit_log SET payload = '{}' WHERE shop = 'demo' AND seq = 2")
          .then(
            () => "changed",
            (error) => String(error.message),
          );
        match(refused, /append-only/);
      });

      // Someone with superuser rights goes around the trigger: verification still notices.
      await db.query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
      await t.step("an edited entry is found", async () => {
        await db.query(
          "UPDATE audit_log SET payload = replace(payload, '12', '13') WHERE shop = 'demo' AND seq = 2",
        );
        const problems = (await verifyAudit(db)).find((r) => r.shop === "demo")!.problems;
        ok(problems.some((p) => /was changed after it was written/.test(p)), problems.join("; "));
      });
      await t.step("a deleted entry is found", async () => {
        await db.query("DELETE FROM audit_log WHERE shop = 'demo' AND seq = 3");
        const problems = (await verifyAudit(db)).find((r) => r.shop === "demo")!.problems;
        ok(problems.some((p) => /entry 3 missing/.test(p)), problems.join("; "));
      });
      await t.step("a deleted tail is found", async () => {
        await db.query(
          "DELETE FROM audit_log WHERE shop = 'demo' AND seq = (SELECT max(seq) FROM audit_log WHERE shop = 'demo')",
        );
        const problems = (await verifyAudit(db)).find((r) => r.shop === "demo")!.problems;
        ok(problems.some((p) => /head says/.test(p)), problems.join("; "));
      });
    } finally {
      await h.stop();
    }
  },
});
