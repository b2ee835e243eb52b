/** Keeps every PSP request of a plugin to the hosts its manifest declares for the call's mode. */
import { hostMatches, type Logger, type PspHttp } from "../../src/mod.ts";

export { hostMatches };

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
