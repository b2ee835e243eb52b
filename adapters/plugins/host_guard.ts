import type { Logger, PspHttp } from "../../src/mod.ts";

/**
 * Whether a host (`name` or `name:port`) matches a pattern. `*` stands for any run of characters other than
 * a dot, so `*.adyen.com` matches one subdomain level and `*-checkout-live.adyenpayments.com` a live prefix;
 * a pattern without a port matches the default port only, `name:*` any port.
 */
export function hostMatches(host: string, pattern: string): boolean {
  const [patternName, patternPort] = splitPort(pattern.toLowerCase());
  const [name, port] = splitPort(host.toLowerCase());
  if (patternPort !== "*" && patternPort !== port) return false;
  const regex = new RegExp(`^${patternName.split("*").map(escape).join("[^.]*")}$`);
  return regex.test(name);
}

function splitPort(host: string): [string, string] {
  const match = /^(.*?)(?::(\d+|\*))?$/.exec(host)!;
  return [match[1], match[2] ?? ""];
}

function escape(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Restricts a PspHttp to the hosts a plugin declared for the mode of the call (plus the gateway's own
 * loopback emulators in dev mode). A request elsewhere is never sent: a shop's credentials cannot point a
 * plugin at an internal service, and a test-mode call cannot reach live hosts.
 */
export function guardHosts(
  inner: PspHttp,
  allowed: readonly string[],
  logger: Logger,
  plugin: string,
): PspHttp {
  return {
    async send(request, deadline) {
      let url: URL;
      try {
        url = new URL(request.url);
      } catch {
        return { kind: "not_sent", detail: "invalid PSP URL" };
      }
      const secure = url.protocol === "https:" || url.protocol === "http:";
      if (!secure || !allowed.some((pattern) => hostMatches(url.host, pattern))) {
        logger.warn("psp.host_refused", { plugin, host: url.host, operation: request.operation });
        return { kind: "not_sent", detail: `the plugin may not reach ${url.host}` };
      }
      return await inner.send(request, deadline);
    },
  };
}
