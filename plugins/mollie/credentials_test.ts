import { deepStrictEqual as assertEquals, ok, strictEqual as equal } from "node:assert/strict";
import { z } from "zod";
import { apiBaseUrl, MOLLIE_API_URL, readCredentials } from "./credentials.ts";
import { mollieLiveCredentialsSchema, mollieTestCredentialsSchema } from "./mod.ts";

const TEST_KEY = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM";
const LIVE_KEY = "live_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM";

Deno.test("the credential schemas refuse the other mode's key", async (t) => {
  const rows: readonly [string, z.ZodType, unknown, boolean][] = [
    ["a test key in test mode", mollieTestCredentialsSchema, { apiKey: TEST_KEY }, true],
    ["a live key in test mode", mollieTestCredentialsSchema, { apiKey: LIVE_KEY }, false],
    ["a live key in live mode", mollieLiveCredentialsSchema, { apiKey: LIVE_KEY }, true],
    ["a test key in live mode", mollieLiveCredentialsSchema, { apiKey: TEST_KEY }, false],
    ["an OAuth access token", mollieLiveCredentialsSchema, {
      apiKey: "access_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM",
    }, false],
    ["a bare prefix", mollieTestCredentialsSchema, { apiKey: "test_" }, false],
    ["no key", mollieTestCredentialsSchema, {}, false],
    ["a method id", mollieTestCredentialsSchema, { apiKey: TEST_KEY, method: "ideal" }, true],
    [
      "a method that is not an id",
      mollieTestCredentialsSchema,
      { apiKey: TEST_KEY, method: "iDEAL!" },
      false,
    ],
    ["a sandbox base URL", mollieTestCredentialsSchema, {
      apiKey: TEST_KEY,
      baseUrl: "http://127.0.0.1:1/v2",
    }, true],
    [
      "a base URL that is not http",
      mollieTestCredentialsSchema,
      { apiKey: TEST_KEY, baseUrl: "ftp://x/v2" },
      false,
    ],
  ];
  for (const [name, schema, value, accepted] of rows) {
    await t.step(`${name} -> ${accepted ? "accepted" : "refused"}`, () => {
      equal(schema.safeParse(value).success, accepted);
    });
  }
});

Deno.test("the schemas' issues name the field and the mode, never the value", () => {
  const parsed = mollieTestCredentialsSchema.safeParse({ apiKey: LIVE_KEY });
  equal(parsed.success, false);
  const text = JSON.stringify(parsed.error?.issues);
  ok(!text.includes(LIVE_KEY), "the key is echoed in an issue");
  ok(text.includes("test_"));
});

Deno.test("every credential field carries a label, and only the API key is secret", () => {
  for (const schema of [mollieTestCredentialsSchema, mollieLiveCredentialsSchema]) {
    for (const [name, field] of Object.entries(schema.shape)) {
      const meta = z.globalRegistry.get(field as z.ZodType) as
        | { label?: string; secret?: boolean }
        | undefined;
      ok(typeof meta?.label === "string" && meta.label !== "", `${name} has no label`);
      equal(meta?.secret === true, name === "apiKey", `${name}'s secret flag`);
    }
  }
});

Deno.test("live credentials have no base URL: a live call always goes to api.mollie.com", () => {
  const live = readCredentials({ apiKey: LIVE_KEY, baseUrl: "http://127.0.0.1:9/v2" }, false);
  assertEquals(live, { apiKey: LIVE_KEY });
  equal(apiBaseUrl(live!), MOLLIE_API_URL);
  equal(
    apiBaseUrl(readCredentials({ apiKey: TEST_KEY, baseUrl: "http://127.0.0.1:9/v2/" }, true)!),
    "http://127.0.0.1:9/v2",
  );
  equal(readCredentials({ apiKey: LIVE_KEY }, true), undefined);
});
