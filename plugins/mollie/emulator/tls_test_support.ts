/**
 * A throwaway TLS certificate for 127.0.0.1, made with WebCrypto (ECDSA P-256) and a few lines of DER, for
 * tests that must serve HTTPS on loopback: Mollie's official Node client speaks only https. Nothing here is
 * secret or kept; each run makes a new key.
 * @module
 */

export interface LoopbackCertificate {
  readonly cert: string;
  readonly key: string;
}

function length(size: number): number[] {
  if (size < 0x80) return [size];
  const bytes: number[] = [];
  for (let rest = size; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

function der(tag: number, ...parts: (Uint8Array | number[])[]): number[] {
  const body = parts.flatMap((part) => Array.from(part));
  return [tag, ...length(body.length), ...body];
}

const sequence = (...parts: (Uint8Array | number[])[]) => der(0x30, ...parts);

function oid(text: string): number[] {
  const [first, second, ...rest] = text.split(".").map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let value = arc >> 7; value > 0; value >>= 7) chunk.unshift(0x80 | (value & 0x7f));
    bytes.push(...chunk);
  }
  return der(0x06, bytes);
}

/** A DER INTEGER of unsigned big-endian bytes. */
function integer(bytes: Uint8Array | number[]): number[] {
  let value = Array.from(bytes);
  while (value.length > 1 && value[0] === 0 && value[1] < 0x80) value = value.slice(1);
  if (value[0] >= 0x80) value = [0, ...value];
  return der(0x02, value);
}

function utcTime(date: Date): number[] {
  const text = date.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z";
  return der(0x17, Array.from(new TextEncoder().encode(text)));
}

function pem(label: string, bytes: Uint8Array | number[]): string {
  const base64 = btoa(String.fromCharCode(...bytes));
  return `-----BEGIN ${label}-----\n${base64.match(/.{1,64}/g)!.join("\n")}\n-----END ${label}-----\n`;
}

/** A self-signed certificate for the IP address 127.0.0.1, valid from an hour ago for a day. */
export async function loopbackCertificate(): Promise<LoopbackCertificate> {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey));
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  const ecdsaWithSha256 = sequence(oid("1.2.840.10045.4.3.2"));
  const name = sequence(
    der(0x31, sequence(oid("2.5.4.3"), der(0x0c, Array.from(new TextEncoder().encode("127.0.0.1"))))),
  );
  const now = Date.now();
  const subjectAltName = sequence(oid("2.5.29.17"), der(0x04, sequence(der(0x87, [127, 0, 0, 1]))));
  const tbs = sequence(
    der(0xa0, integer([2])),
    integer(crypto.getRandomValues(new Uint8Array(8))),
    ecdsaWithSha256,
    name,
    sequence(utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + 86_400_000))),
    name,
    spki,
    der(0xa3, sequence(subjectAltName)),
  );
  const raw = new Uint8Array(
    await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, new Uint8Array(tbs)),
  );
  const signature = sequence(integer(raw.slice(0, 32)), integer(raw.slice(32)));
  const certificate = sequence(tbs, ecdsaWithSha256, der(0x03, [0, ...signature]));
  return { cert: pem("CERTIFICATE", certificate), key: pem("PRIVATE KEY", pkcs8) };
}
