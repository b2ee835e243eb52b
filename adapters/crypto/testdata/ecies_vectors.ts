/**
 * Known-answer vectors for the ECIES card encryption, stored as literals so that a change on either side
 * (the noble encryptor in adapters/dev, the WebCrypto decryptor here) breaks a test instead of silently
 * moving both sides together.
 *
 * How they were made (once, by hand):
 * - RECIPIENT_A and RECIPIENT_B: `generateEciesKeyPair()`. TEST KEYS ONLY: they are public, never configure
 *   them anywhere.
 * - VECTOR_1..3: `encryptCard()` from adapters/dev/ecies_encryptor.ts with the fixed ephemeral keys and IVs
 *   below; each was also opened with Node's `crypto` (OpenSSL), a third implementation, before being stored.
 * - NODE_VECTOR: made entirely with Node's `crypto` the way genstore-protocol.md section 8.5 describes
 *   (`generateKeyPairSync("ec", { namedCurve: "prime256v1" })` for the recipient, PKCS#8 export, random
 *   ephemeral key and IV), with the ciphertext under `cipher` as in Genstore's packet example.
 *
 * @module
 */

export const RECIPIENT_A = {
  privateKeyPkcs8:
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgswbne48diK4/sk6K4J418j7NqU8WY7lm5i/Ch/Dd7lahRANCAASXePNsj9Z3PwC+24gIFXv1oMI6LmNYEJyhKln1+ISQEb2Ah0COnJdyLNF23sqGxLsjiVVrSfY9MX9wmPKxkCyT",
  publicKeySpki:
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEl3jzbI/Wdz8AvtuICBV79aDCOi5jWBCcoSpZ9fiEkBG9gIdAjpyXcizRdt7KhsS7I4lVa0n2PTF/cJjysZAskw==",
} as const;

export const RECIPIENT_B = {
  privateKeyPkcs8:
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgGd/gDDVLFaCzRTKtFYNPBONv1gCWykVIS9rNReO96z+hRANCAASIWC9V0kaOvAwLC0FqeG7bei+fFmzUy3dbducWdted6sdmfSXQx/Mw3w9rbfe9AqJ/T7VZsd/90R+AqBdEA2ts",
  publicKeySpki:
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEiFgvVdJGjrwMCwtBanhu23ovnxZs1Mt3W3bnFnbXnerHZn0l0MfzMN8Pa233vQKif0+1WbHf/dEfgKgXRANrbA==",
} as const;

/** SHA-256 of "genstore-gateway ECIES KAT ephemeral 1" and "... 2". */
export const EPHEMERAL_1_HEX = "52b81c97b3905cbc7fee65b06eb5b0cfd570e8ec4b07712e2a4c4c17f555bde3";
export const EPHEMERAL_2_HEX = "9b5fcdef5b3b6323675a784e64cf8ee3d8964c0c9d097835075f6986b4d14fcc";
export const IV_1_HEX = "000102030405060708090a0b";
export const IV_2_HEX = "f0e1d2c3b4a5968778695a4b";

export const CARD_1 = {
  number: "4242424242424242",
  expiryMonth: "12",
  expiryYear: "2030",
  cvv: "123",
  holderName: "Jane Doe",
} as const;

/** CARD_1 for RECIPIENT_A, ephemeral 1, IV 1, empty HKDF info. */
export const VECTOR_1 = {
  cipherText:
    "wf0hzgwUN3QTj30FJAhG/+vpgv3MQZb/SmIrqM3BhIBdD90xkwRtuPsoySUCC63DPHZ3UV+BcH+461Wafn7PdSkAsAaRMKVcjsSTocyrqk/X4sW+iDRAj0PZGtOp/GBpg7NTT28s3FlcNiVRIcfMR7Vj9/hdkKMa",
  iv: "AAECAwQFBgcICQoL",
  ephemeralPublicKey:
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAENy5h4YAUnHMGmI6hBWn0F91T65PoEMAVFkHfrGdAzRgSXd400X3ZvkF0rPNdalDGW+W5uczqMTyjXDxZbU+LQQ==",
  suit: "ECIESv1|AES-128-GCM|P-256",
  salt: "ECIESv1-HKDF-SALT",
} as const;

/** CARD_1 for RECIPIENT_A, ephemeral 2, IV 2, HKDF info = the suite string. */
export const VECTOR_2_INFO = "ECIESv1|AES-128-GCM|P-256";
export const VECTOR_2 = {
  cipherText:
    "EJqY291hZZsXdtww74ZRCTtbRrsrnJpcfotkyUo20yrudrSlxow2ujuy6T4X+Djy/SOFOWAiik+K0mZckCYng8jfcNjtLOb9rv627p/qeZs72hKdbLJXnuNrpV10A3dwCJQHd5W1bpoc6HnNWlura7OoiJZlLnIb",
  iv: "8OHSw7Sllod4aVpL",
  ephemeralPublicKey:
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8oHk0Taw34OZz7hXxDeR5BT1Q0AFnN6WnDq/IVlCljOlkMBa1KTmkcGQqRtfDYgMXClr31CIWmGUyD77cLDvJA==",
  suit: "ECIESv1|AES-128-GCM|P-256",
  salt: "ECIESv1-HKDF-SALT",
} as const;

/** CARD_3 (short month and year, no holder) for RECIPIENT_B, ephemeral 1, IV 1, empty HKDF info. */
export const CARD_3 = {
  number: "4000000000003220",
  expiryMonth: "1",
  expiryYear: "29",
  cvv: "4321",
} as const;
export const VECTOR_3 = {
  cipherText:
    "XLyLQQLjdStnklKVIYjSHrz9Qv+mVFIWm0HNTPnOuYzBW/R9/MeZA7Q7N/ORz1BDkeHQHQCLWg1diS1+rnk0npkUVjtK/ZZua2c9L1LZbSmY7ANL+uPEmAaIELyycQ==",
  iv: "AAECAwQFBgcICQoL",
  ephemeralPublicKey:
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAENy5h4YAUnHMGmI6hBWn0F91T65PoEMAVFkHfrGdAzRgSXd400X3ZvkF0rPNdalDGW+W5uczqMTyjXDxZbU+LQQ==",
  suit: "ECIESv1|AES-128-GCM|P-256",
  salt: "ECIESv1-HKDF-SALT",
} as const;

/** Made with Node's crypto end to end; empty HKDF info. */
export const NODE_RECIPIENT_PKCS8 =
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg4wL+NWfKpDJAgaOxhKS1kOlbwC2yTr1ls0ag+ROTH4OhRANCAAQeyj1we/dvE66/FnzVIZ5/MO2EntlNsgo6UHI/LKQ91M9eY7VEcpIX72SPU4Y2p6vG3v+Z+IC8hP9EB7g+UX9F";
export const NODE_RECIPIENT_SPKI =
  "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEHso9cHv3bxOuvxZ81SGefzDthJ7ZTbIKOlByPyykPdTPXmO1RHKSF+9kj1OGNqerxt7/mfiAvIT/RAe4PlF/RQ==";
export const NODE_CARD = {
  number: "5555555555554444",
  expiryMonth: "03",
  expiryYear: "2031",
  cvv: "737",
  holderName: "Zo\u00eb \u00c5ngstr\u00f6m",
} as const;
export const NODE_VECTOR = {
  cipher:
    "6sDVFxJ/ZjgoMLnHwPoQ+pzP/SEhw/sjM/Q7DiFalHOgFq8q/Ayqqsb5693KQNgiEa2rJp/R0wQLHbgt46QO7fnHncDIObrhY0jaG26fAYqpktLFlxCTY1Tk5ydkZUAg7sTH1pvV3td02DFny+HKvgUzohIQqSaWEorVYg==",
  iv: "+nC7no6zAusjEKYv",
  ephemeralPublicKey:
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEilB4BUSbsflwWcXOLOpmJtnBcwhUUmukXjAlhktZQ2Mm6RdU0VQz01Nlw0t87TmSd+8NMtifK/Zcq/AqgwdLQA==",
  suit: "ECIESv1|AES-128-GCM|P-256",
  salt: "ECIESv1-HKDF-SALT",
} as const;
