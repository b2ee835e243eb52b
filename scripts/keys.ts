/**
 * `deno task keys`: generates an ECIES key pair for card decryption. Register the public key with Genstore
 * (payment extension configuration); put the private key first in ECIES_PRIVATE_KEYS, keeping the previous
 * one after it until Genstore no longer encrypts to it.
 * @module
 */
import { generateEciesKeyPair } from "../adapters/crypto/keys.ts";
import { generateMasterKey } from "../adapters/crypto/secret_box.ts";

const pair = await generateEciesKeyPair();
if (Deno.args.includes("--master-key")) {
  console.log(generateMasterKey());
} else {
  console.log(
    [
      "Public key (register with Genstore; base64 SPKI DER, 91 bytes):",
      pair.publicKeySpki,
      "",
      "Private key (base64 PKCS#8; store it as a secret, first in ECIES_PRIVATE_KEYS):",
      pair.privateKeyPkcs8,
    ].join("\n"),
  );
}
