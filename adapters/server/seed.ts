import type { AdyenEmulator } from "../../plugins/adyen/emulator/mod.ts";
import type { ShopStore } from "../store/sql_shop_store.ts";

/** The origin dev-mode credentials name for the bundled emulators; each process maps it to itself. */
export const DEV_EMULATOR_ORIGIN = "http://emulator.gateway.invalid";

/** The demo shop's fixed dev credentials: they only open the bundled emulator. */
export const DEMO = {
  shop: "demo",
  accessToken: "dev-token",
  apiKey: "demo-emulator-api-key",
  merchantAccount: "GenstoreDemoECOM",
  hmacKeyHex: "44782def547aaa06c910c43932b1eb0c71fc68d9d0c057550c48ec2acf6ba056",
} as const;

/**
 * Dev mode: shop `demo` with access token `dev-token`, its `card` extension bound in test mode to the
 * bundled card emulator served by this process. Re-applied at every start, so the URLs follow the port.
 */
export async function seedDemoShop(options: {
  shops: ShopStore;
  emulator: AdyenEmulator;
  gatewayUrl: string;
}): Promise<void> {
  const { shops, emulator, gatewayUrl } = options;
  emulator.addAccount({
    apiKey: DEMO.apiKey,
    merchantAccount: DEMO.merchantAccount,
    hmacKeyHex: DEMO.hmacKeyHex,
    webhookUrl: `${gatewayUrl}/v1/notifications/adyen`,
  });
  await shops.upsertShop(DEMO.shop);
  await shops.setAccessToken(DEMO.shop, DEMO.accessToken);
  await shops.bind({
    shop: DEMO.shop,
    extension: "card",
    plugin: "adyen",
    test: {
      apiKey: DEMO.apiKey,
      merchantAccount: DEMO.merchantAccount,
      hmacKeyHex: DEMO.hmacKeyHex,
      // Not this process's own URL: every dev process sends this host to the emulator it serves itself, so
      // several processes on one database each keep working when another one stops.
      baseUrl: `${DEV_EMULATOR_ORIGIN}/_emulator/adyen/v71`,
    },
  });
}
