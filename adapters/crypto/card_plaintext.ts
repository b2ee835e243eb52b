/**
 * The decrypted card JSON of a Genstore ECIES package (contract section 5):
 * `{"number","expiryMonth","expiryYear","cvv","holderName"}`, all strings. Genstore has not documented the
 * layout beyond the field names, so the rules here are strict on what a PSP needs and tolerant of formatting
 * (month "1" or "01", year "29" or "2029").
 *
 * @module
 */

import type { CardDetails } from "../../src/ports/psp_plugin.ts";
import { err, ok, type Result } from "../../src/result.ts";

/** Why a plaintext is not a usable card. Names a field, never its value. */
export type CardPlaintextFailure =
  | "bad_plaintext"
  | "bad_card_number"
  | "bad_expiry_month"
  | "bad_expiry_year"
  | "bad_cvv"
  | "bad_holder_name";

const MAX_HOLDER_NAME_CHARS = 100;
const CARD_NUMBER = /^\d{12,19}$/;
const CVV = /^\d{3,4}$/;
const CONTROL_CHARACTERS = /\p{Cc}/u;

/**
 * Parses the plaintext bytes into card details. Fields Genstore may add (a brand, say) are ignored. The
 * caller wipes the bytes; the JSON strings made from them cannot be wiped (JavaScript strings are immutable)
 * and live until garbage collection.
 */
export function parseCardPlaintext(plaintext: Uint8Array): Result<CardDetails, CardPlaintextFailure> {
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plaintext));
  } catch {
    return err("bad_plaintext");
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) return err("bad_plaintext");
  const { number, expiryMonth, expiryYear, cvv, holderName } = data as Record<string, unknown>;

  // Digits only: the platform collects the card, so spaces or dashes would mean a layout we do not know.
  if (typeof number !== "string" || !CARD_NUMBER.test(number)) return err("bad_card_number");
  const month = normaliseMonth(expiryMonth);
  if (month === undefined) return err("bad_expiry_month");
  const year = normaliseYear(expiryYear);
  if (year === undefined) return err("bad_expiry_year");
  if (typeof cvv !== "string" || !CVV.test(cvv)) return err("bad_cvv");

  const card: CardDetails = { number, expiryMonth: month, expiryYear: year, cvv };
  // A serializer may write a missing holder as null or "": both mean "not given".
  if (holderName === undefined || holderName === null) return ok(card);
  if (typeof holderName !== "string") return err("bad_holder_name");
  const name = holderName.trim();
  if (name === "") return ok(card);
  if ([...name].length > MAX_HOLDER_NAME_CHARS || CONTROL_CHARACTERS.test(name)) {
    return err("bad_holder_name");
  }
  return ok({ ...card, holderName: name });
}

/** "1" or "01" through "12", always returned as two digits. */
function normaliseMonth(value: unknown): string | undefined {
  if (typeof value !== "string" || !/^\d{1,2}$/.test(value)) return undefined;
  const month = Number(value);
  if (month < 1 || month > 12) return undefined;
  return String(month).padStart(2, "0");
}

/** "29" or "2029", always returned as four digits; two digits mean 20xx (a card lasts well under a century). */
function normaliseYear(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  if (/^\d{4}$/.test(value)) return value;
  if (/^\d{2}$/.test(value)) return `20${value}`;
  return undefined;
}
