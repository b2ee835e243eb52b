/**
 * Manifest host patterns (`PluginManifest.hosts`), as the gateway's host guard reads them: a host name in which
 * `*` stands for any run of characters other than a dot, with an optional `:port` or `:*`. Pure, so the guard
 * and the conformance kit decide alike.
 * @module
 */

const HOST_PATTERN =
  /^[a-z0-9*](?:[a-z0-9*-]*[a-z0-9*])?(?:\.[a-z0-9*](?:[a-z0-9*-]*[a-z0-9*])?)*(?::(?:\d{1,5}|\*))?$/i;

/** Whether a manifest entry is a host pattern at all (a host name with optional `*` wildcards and `:port`). */
export function isHostPattern(pattern: string): boolean {
  return HOST_PATTERN.test(pattern);
}

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
