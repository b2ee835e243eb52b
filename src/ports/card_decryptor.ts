import type { Result } from "../result.ts";
import type { CardDetails } from "./psp_plugin.ts";

/** Genstore's ECIES package as it arrives in `paymentMethod.data` (field-name variants already merged). */
export interface EncryptedCard {
  readonly cipherText: string;
  readonly iv: string;
  readonly ephemeralPublicKey: string;
  readonly suit: string;
  readonly salt: string;
}

/** Why a package could not be opened. Never carries key material or plaintext. */
export interface DecryptionFailure {
  readonly kind: "undecryptable";
  /** A short, safe reason such as "bad_iv_length" or "authentication_failed". */
  readonly reason: string;
}

export interface DecryptedCard {
  readonly card: CardDetails;
  /** Which configured key opened the package (its position, newest first); never the key itself. */
  readonly keyIndex: number;
}

export interface CardDecryptor {
  /** Opens a package; every failure is returned, never thrown. */
  decrypt(pkg: EncryptedCard): Promise<Result<DecryptedCard, DecryptionFailure>>;
  /**
   * What identifies a package, the same for every copy of it and nothing else: a hash of its ephemeral public
   * key, which Genstore makes fresh for each package. A package is single-use: a copy replayed to another shop
   * or payment is refused by this.
   */
  fingerprint(pkg: EncryptedCard): Promise<string>;
}
