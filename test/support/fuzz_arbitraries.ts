/**
 * Generators of hostile input for the HTTP fuzz suite (test/e2e/fuzz_test.ts): JSON trees that can hold what
 * `JSON.stringify` cannot write (duplicate keys, `__proto__` keys, huge number tokens, nesting deeper than any
 * recursive serializer survives), hostile strings, ids, amounts and currencies, mutations of a valid body, raw
 * bodies and raw query tokens. Every value prints compactly in a counterexample (a 1 MiB string prints as its
 * length).
 * @module
 */
import fc from "fast-check";

const PREVIEW = 60;

function preview(text: string): string {
  return text.length > PREVIEW ? `${text.slice(0, PREVIEW)}…(${text.length} chars)` : text;
}

/** A JSON token written as is: `1e999`, `123456789012345678901234567890`, or something that is not JSON. */
export class Raw {
  constructor(readonly text: string) {}
  [fc.toStringMethod](): string {
    return `Raw(${JSON.stringify(preview(this.text))})`;
  }
}

/** A JSON string of `count` repetitions of `unit`. */
export class Long {
  constructor(readonly unit: string, readonly count: number) {}
  [fc.toStringMethod](): string {
    return `Long(${JSON.stringify(this.unit)} x ${this.count})`;
  }
}

/** `depth` nested arrays (`[[[1]]]`) or objects (`{"a":{"a":1}}`). */
export class Deep {
  constructor(readonly depth: number, readonly shape: "array" | "object") {}
  [fc.toStringMethod](): string {
    return `Deep(${this.depth}, ${this.shape})`;
  }
}

/** A JSON object as written: entries in order, duplicate keys and `__proto__` keys kept. */
export class Entries {
  constructor(readonly entries: [string, Tree][]) {}
  [fc.toStringMethod](): string {
    return `{${
      this.entries.map(([key, value]) => `${JSON.stringify(preview(key))}: ${fc.stringify(value)}`).join(", ")
    }}`;
  }
}

export type Leaf = null | boolean | number | string | Raw | Long | Deep;
export type Tree = Leaf | Entries | Tree[];

/** The body is absent altogether (an empty request body). */
export const ABSENT = Symbol("absent");
export type Body = Tree | typeof ABSENT;

/** A plain JSON value as a tree (own enumerable keys, so a `__proto__` own key is kept). */
export function toTree(value: unknown): Tree {
  if (Array.isArray(value)) return value.map(toTree);
  if (value !== null && typeof value === "object") {
    return new Entries(
      Object.keys(value).map((key) => [key, toTree((value as Record<string, unknown>)[key])]),
    );
  }
  if (typeof value === "number" && Object.is(value, -0)) return new Raw("-0");
  return value as Leaf;
}

/** A copy that shares nothing mutable with the original (generated values must stay intact for shrinking). */
export function cloneTree(tree: Tree): Tree {
  if (tree instanceof Entries) {
    return new Entries(tree.entries.map(([key, value]) => [key, cloneTree(value)]));
  }
  if (Array.isArray(tree)) return tree.map(cloneTree);
  return tree;
}

/** The JSON text of a tree. Recursive only over the tree's own (small) structure; `Deep` is written flat. */
export function emit(body: Body): string {
  if (body === ABSENT) return "";
  if (body instanceof Raw) return body.text;
  if (body instanceof Long) return JSON.stringify(body.unit.repeat(body.count));
  if (body instanceof Deep) {
    return body.shape === "array"
      ? `${"[".repeat(body.depth)}1${"]".repeat(body.depth)}`
      : `${'{"a":'.repeat(body.depth)}1${"}".repeat(body.depth)}`;
  }
  if (body instanceof Entries) {
    return `{${body.entries.map(([key, value]) => `${JSON.stringify(key)}:${emit(value)}`).join(",")}}`;
  }
  if (Array.isArray(body)) return `[${body.map((item) => emit(item)).join(",")}]`;
  return JSON.stringify(body) ?? "null";
}

// ---------------------------------------------------------------------------------------------------------
// Strings

/** Characters that break naive code: NUL and controls, lone surrogates, bidi and zero-width marks, quotes. */
export const HOSTILE_CHARS: readonly string[] = [
  "\u0000",
  "\u0001",
  "\u0007",
  "\b",
  "\t",
  "\n",
  "\r",
  "\u001b",
  "\u007f",
  "\u0085",
  "\u00a0",
  "\uD800",
  "\uDBFF",
  "\uDC00",
  "\uDFFF",
  "\u200B",
  "\u200C",
  "\u200D",
  "\u200E",
  "\u200F",
  "\u202A",
  "\u202E",
  "\u2066",
  "\u2069",
  "\u2028",
  "\u2029",
  "\uFEFF",
  "\uFFFD",
  "\uFFFF",
  "😀",
  "👩‍👩‍👧",
  "\u0301",
  "ﷺ",
  "١",
  "۳",
  "٫",
  "０",
  "𝟗",
  "İ",
  "ß",
  '"',
  "'",
  "\\",
  "/",
  "%",
  "&",
  "<",
  ">",
  "`",
  "$",
  "{",
  "}",
  "[",
  "]",
  ":",
  ".",
  " ",
];

const hostileUnit: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_CHARS) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
);

/** Whole strings that mean something to some parser. */
export const HOSTILE_STRINGS: readonly string[] = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\uD800",
  "a\uDFFFb",
  "\u202Egnp.exe",
  "\u200B",
  "\uFEFF{}",
  "NaN",
  "-NaN",
  "Infinity",
  "-Infinity",
  "1e999",
  "-0",
  "0x10",
  "undefined",
  "null",
  "true",
  "[object Object]",
  "__proto__",
  "constructor",
  "prototype",
  "hasOwnProperty",
  "toString",
  "../../../etc/passwd",
  "..\\..\\windows\\win.ini",
  "%00",
  "%2e%2e%2f",
  "${7*7}",
  "{{7*7}}",
  "<script>alert(1)</script>",
  "' OR '1'='1' --",
  "\r\nX-Injected: 1",
  "javascript:alert(1)",
  "١٢٣",
  "１２３",
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 4, arbitrary: fc.string({ unit: hostileUnit, maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 24 }) },
);

/** A 16-digit number that looks like a card number; it must never come back in an answer. */
export const panMarker: fc.Arbitrary<string> = fc
  .array(fc.integer({ min: 0, max: 9 }), { minLength: 15, maxLength: 15 })
  .map((digits) => `4${digits.join("")}`);

/** Keys that reach the prototype chain of a naive merge, keys that shadow methods, and schema field names. */
export const HOSTILE_KEYS: readonly string[] = [
  "__proto__",
  "constructor",
  "prototype",
  "hasOwnProperty",
  "toString",
  "valueOf",
  "toJSON",
  "then",
  "",
  " ",
  "paymentId",
  "captureId",
  "voidId",
  "refundId",
  "amount",
  "currency",
  "test",
  "manualCapture",
  "paymentMethod",
  "data",
  "returnUrl",
  "cipherText",
  "number",
  "cvv",
  "storeCard",
  "cardToken",
  "initiator",
];

export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_KEYS) },
  { weight: 1, arbitrary: hostileString },
);

/** Ids with spaces, control characters, path separators, prototype names, numbers and over-long ones. */
export const HOSTILE_IDS: readonly Tree[] = [
  "",
  " ",
  "a b",
  " id",
  "id ",
  "a\tb",
  "a\u0000b",
  "a\nb",
  "a/b",
  "a\\b",
  "../x",
  "..",
  ".",
  "a?b",
  "a#b",
  "a%2Fb",
  "a%00b",
  "__proto__",
  "constructor",
  "prototype",
  "ID\u00e9",
  "\u202Eid",
  "i\u200Bd",
  "x".repeat(128),
  "x".repeat(129),
  "12345",
  12345,
  0,
  -1,
  1.5,
  new Raw("1e999"),
  true,
  null,
  [],
  new Entries([]),
];

export const hostileId: fc.Arbitrary<Tree> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_IDS) },
  { weight: 1, arbitrary: hostileString },
);

// ---------------------------------------------------------------------------------------------------------
// Amounts and currencies

/** Amounts that are not a decimal string with at most the currency's digits, or not above zero. */
export const BAD_AMOUNTS: readonly Tree[] = [
  "1e3",
  "1E3",
  "0x10",
  "0b11",
  "0o7",
  "١٢٣",
  "۱۲۳",
  "१२३",
  "１２３",
  "𝟏𝟐𝟑",
  "10.",
  ".5",
  " 10",
  "10 ",
  "\u00a010",
  "\t10",
  "+10",
  "-10",
  "-0",
  "0",
  "0.00",
  "00",
  "1,00",
  "1_000",
  "1 000",
  "1.0.0",
  "1/2",
  "10\u0000",
  "\u200B10",
  "10\u200B",
  "NaN",
  "Infinity",
  "",
  "9".repeat(400),
  "9".repeat(41),
  "9".repeat(39),
  "9007199254740992",
  "90071992547409.92",
  "10.001",
  "1.999",
  10,
  10.5,
  0,
  -1,
  new Raw("1e3"),
  new Raw("10.00"),
  new Raw("123456789012345678901234567890"),
  null,
  true,
  ["10.00"],
  new Entries([["value", "10.00"]]),
];

const nonAsciiDigits = fc
  .array(fc.constantFrom(..."٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹०१२३४५६७८९０１２３４５６７８９৩৪"), {
    minLength: 1,
    maxLength: 6,
  })
  .map((digits) => digits.join(""));

/** Whether a string is an amount the gateway must accept for a 2-digit currency. */
export function isValidUsdAmount(text: string): boolean {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (match === null) return false;
  const minor = BigInt(match[1] + (match[2] ?? "").padEnd(2, "0"));
  return minor > 0n && minor <= BigInt(Number.MAX_SAFE_INTEGER);
}

/** Always an invalid amount for USD. */
export const badAmount: fc.Arbitrary<Tree> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...BAD_AMOUNTS) },
  { weight: 1, arbitrary: nonAsciiDigits },
  {
    weight: 2,
    arbitrary: fc.string({ unit: hostileUnit, maxLength: 12 }).filter((text) => !isValidUsdAmount(text)),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.nat({ max: 99999 }), fc.integer({ min: 3, max: 8 })).map(([whole, digits]) =>
      `${whole}.${"5".repeat(digits)}`
    ),
  },
);

/** Currencies that are not an active ISO 4217 code written in capitals. */
export const BAD_CURRENCIES: readonly Tree[] = [
  "usd",
  "Usd",
  "uSD",
  "US",
  "USDD",
  " USD",
  "USD ",
  "U SD",
  "U\u0000D",
  "ＵＳＤ",
  "ÜSD",
  "💵",
  "€",
  "$",
  "XXX",
  "XTS",
  "XAU",
  "ABC",
  "ZZZ",
  "DEM",
  "HRK",
  "__proto__",
  "constructor",
  "toString",
  "",
  840,
  null,
  ["USD"],
  new Entries([["code", "USD"]]),
];

export const badCurrency: fc.Arbitrary<Tree> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...BAD_CURRENCIES) },
  {
    weight: 1,
    arbitrary: fc.string({ unit: hostileUnit, minLength: 1, maxLength: 5 }).filter((text) =>
      !/^[A-Z]{3}$/.test(text)
    ),
  },
);

// ---------------------------------------------------------------------------------------------------------
// JSON values

const SPECIAL_NUMBERS: readonly Tree[] = [
  new Raw("1e999"),
  new Raw("-1e999"),
  new Raw("1E400"),
  new Raw("123456789012345678901234567890"),
  new Raw("9007199254740993"),
  new Raw("0.0000000000000000000000000000000001"),
  new Raw("-0"),
  new Raw("1e-400"),
  0,
  -1,
  1.5,
  1e21,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MIN_VALUE,
  Number.MAX_VALUE,
];

/** Not JSON at all: these make the whole body malformed wherever they land. */
const NOT_JSON: readonly Tree[] = [
  new Raw("NaN"),
  new Raw("Infinity"),
  new Raw("undefined"),
  new Raw("'single'"),
  new Raw("0x10"),
  new Raw("+1"),
  new Raw(".5"),
  new Raw("01"),
  new Raw("/* comment */ 1"),
  new Raw('"unterminated'),
  new Raw('"\\ud800"'),
  new Raw('"\\u0000"'),
  new Raw('"bad \\x escape"'),
];

/** Lengths around the interesting limits (field maxima, 64 KiB, the 1 MiB body limit). */
export const longString: fc.Arbitrary<Long> = fc
  .tuple(
    fc.constantFrom("x", "9", "é", "😀", "\u0000", "\uD800", " "),
    fc.oneof(
      fc.constantFrom(41, 65, 129, 257, 321, 1001, 1025, 2049, 8193, 65_537, 300_000, 1_048_577),
      fc.integer({ min: 1, max: 600_000 }),
    ),
  )
  .map(([unit, count]) => new Long(unit, count));

/** Nesting from harmless to far deeper than a recursive walk survives, still under the body limit. */
export const deepValue: fc.Arbitrary<Deep> = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(32, 100, 1_000, 3_000, 5_000, 10_000, 50_000, 100_000),
      fc.integer({ min: 1, max: 150_000 }),
    ),
    fc.constantFrom("array" as const, "object" as const),
  )
  .map(([depth, shape]) => new Deep(depth, shape));

const jsonLeaf: fc.Arbitrary<Tree> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIAL_NUMBERS) },
  { weight: 1, arbitrary: fc.constantFrom<Tree>(null, true, false) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map(toTree) },
);

/** Random JSON: small trees of hostile leaves under hostile keys, plus whole random JSON values. */
export const hostileJson: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 5, arbitrary: jsonLeaf },
    {
      weight: 2,
      arbitrary: fc.array(fc.tuple(hostileKey, tie("tree")), { maxLength: 5 }).map((entries) =>
        new Entries(entries)
      ),
    },
    { weight: 1, arbitrary: fc.array(tie("tree"), { maxLength: 5 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3, stringUnit: hostileUnit }).map(toTree) },
  ),
})).tree;

/** Any value that can be put where a field was: hostile JSON, ids, amounts, long strings, deep nesting. */
export const hostileValue: fc.Arbitrary<Tree> = fc.oneof(
  { weight: 6, arbitrary: hostileJson },
  { weight: 2, arbitrary: hostileId },
  { weight: 2, arbitrary: badAmount },
  { weight: 1, arbitrary: longString },
  { weight: 1, arbitrary: deepValue },
  { weight: 1, arbitrary: fc.constantFrom(...NOT_JSON) },
);

// ---------------------------------------------------------------------------------------------------------
// Mutations of a valid body

export type Mutation =
  | { readonly op: "drop"; readonly at: number }
  | { readonly op: "set"; readonly at: number; readonly value: Tree }
  | { readonly op: "wrapInObject"; readonly at: number; readonly key: string }
  | { readonly op: "wrapInArray"; readonly at: number }
  | { readonly op: "flip"; readonly at: number }
  | { readonly op: "duplicate"; readonly at: number; readonly value: Tree; readonly before: boolean }
  | { readonly op: "addKey"; readonly at: number; readonly key: string; readonly value: Tree }
  | { readonly op: "pollute"; readonly at: number; readonly key: "__proto__" | "constructor" | "prototype" }
  | { readonly op: "plant"; readonly at: number; readonly style: "string" | "embedded" | "number" | "key" };

const at = fc.nat({ max: 1_000 });

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant("drop" as const), at }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant("set" as const), at, value: hostileValue }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("wrapInObject" as const), at, key: hostileKey }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("wrapInArray" as const), at }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("flip" as const), at }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("duplicate" as const),
      at,
      value: hostileValue,
      before: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant("addKey" as const), at, key: hostileKey, value: hostileValue }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("pollute" as const),
      at,
      key: fc.constantFrom("__proto__" as const, "constructor" as const, "prototype" as const),
    }),
  },
);

export const plant: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constant("plant" as const),
  at,
  style: fc.constantFrom("string" as const, "embedded" as const, "number" as const, "key" as const),
});

/** The marker a prototype-pollution payload tries to install on `Object.prototype`. */
export const POLLUTION_KEY = "fuzzPolluted";

function pollution(key: "__proto__" | "constructor" | "prototype"): Tree {
  const payload = new Entries([[POLLUTION_KEY, key], ["isAdmin", true], ["test", "true"]]);
  return key === "constructor" ? new Entries([["prototype", payload]]) : payload;
}

interface Holder {
  root: Body;
}

/** A place in a tree: the root, an entry of an object, or an item of an array. */
interface Slot {
  readonly container: Holder | Entries | Tree[];
  readonly index: number;
}

function slotsOf(holder: Holder): Slot[] {
  const slots: Slot[] = [{ container: holder, index: 0 }];
  const visit = (tree: Tree) => {
    if (tree instanceof Entries) {
      tree.entries.forEach(([, value], index) => {
        slots.push({ container: tree, index });
        visit(value);
      });
    } else if (Array.isArray(tree)) {
      tree.forEach((item, index) => {
        slots.push({ container: tree, index });
        visit(item);
      });
    }
  };
  if (holder.root !== ABSENT) visit(holder.root);
  return slots;
}

function read(slot: Slot): Body {
  const { container, index } = slot;
  if (container instanceof Entries) return container.entries[index][1];
  if (Array.isArray(container)) return container[index];
  return container.root;
}

function write(slot: Slot, value: Tree): void {
  const { container, index } = slot;
  if (container instanceof Entries) container.entries[index][1] = value;
  else if (Array.isArray(container)) container[index] = value;
  else container.root = value;
}

function flip(value: Body): Tree {
  if (value === ABSENT) return null;
  if (typeof value === "string") {
    return /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(value) ? new Raw(value) : [value];
  }
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return String(value);
  if (value === null) return "null";
  if (value instanceof Raw) return value.text;
  if (value instanceof Entries) return value.entries.map(([, item]) => item);
  if (Array.isArray(value)) return new Entries(value.map((item, index) => [String(index), item]));
  return new Entries([["value", value]]);
}

/** Applies mutations to a copy of `base`; `marker` is what `plant` puts in. */
export function mutate(base: Tree, mutations: readonly Mutation[], marker: string): Body {
  const holder: Holder = { root: cloneTree(base) };
  for (const m of mutations) {
    const slots = slotsOf(holder);
    const slot = slots[m.at % slots.length];
    const { container, index } = slot;
    const current = read(slot);
    switch (m.op) {
      case "drop":
        if (container instanceof Entries) container.entries.splice(index, 1);
        else if (Array.isArray(container)) container.splice(index, 1);
        else container.root = ABSENT;
        break;
      case "set":
        write(slot, cloneTree(m.value));
        break;
      case "wrapInObject":
        write(slot, new Entries([[m.key, current === ABSENT ? null : current]]));
        break;
      case "wrapInArray":
        write(slot, current === ABSENT ? [] : [current]);
        break;
      case "flip":
        write(slot, flip(current));
        break;
      case "duplicate":
        if (container instanceof Entries) {
          container.entries.splice(m.before ? index : index + 1, 0, [
            container.entries[index][0],
            cloneTree(m.value),
          ]);
        } else if (Array.isArray(container)) {
          container.splice(m.before ? index : index + 1, 0, cloneTree(m.value));
        } else {
          // The whole body twice: trailing data after a complete JSON value.
          container.root = new Raw(`${emit(container.root)}${emit(m.value)}`);
        }
        break;
      case "addKey":
      case "pollute": {
        const key = m.key;
        const value = m.op === "addKey" ? cloneTree(m.value) : pollution(m.key);
        if (current instanceof Entries) current.entries.push([key, value]);
        else if (container instanceof Entries) container.entries.push([key, value]);
        else write(slot, new Entries([[key, value], ["value", current === ABSENT ? null : current]]));
        break;
      }
      case "plant": {
        const planted = m.style === "string"
          ? marker
          : m.style === "embedded"
          ? `card ${marker} exp 03/30`
          : m.style === "number"
          ? new Raw(marker)
          : marker;
        if (m.style === "key") {
          if (current instanceof Entries) current.entries.push([marker, marker]);
          else if (container instanceof Entries) container.entries.push([marker, "4"]);
          else write(slot, new Entries([[marker, current === ABSENT ? null : current]]));
        } else {
          write(slot, planted);
        }
        break;
      }
    }
  }
  return holder.root;
}

// ---------------------------------------------------------------------------------------------------------
// Raw bytes and raw URL text

const encoder = new TextEncoder();

/** Bytes that are not UTF-8: stray continuation bytes, overlong forms, encoded surrogates, 5-byte forms. */
export const INVALID_UTF8: readonly number[][] = [
  [0xff],
  [0xfe],
  [0x80],
  [0xbf],
  [0xc0, 0xaf],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xc3],
  [0xe2, 0x82],
];

/** Texts that are not one JSON object. */
export const NON_OBJECT_BODIES: readonly string[] = [
  "",
  " ",
  "\n",
  "null",
  "true",
  "false",
  "0",
  "-0",
  "1e999",
  '"payment"',
  "[]",
  "[{}]",
  '[{"paymentId":"x"}]',
  "\uFEFF{}",
  '{"a":1} trailing',
  '{"a":1}{"a":2}',
  "{'a':1}",
  "{a:1}",
  '{"a":1,}',
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":undefined}',
  "/* comment */ {}",
  '{"a":"\\ud800"}',
  '{"a":"\u0000"}',
  "\u0000",
  "{",
  "}",
  '{"',
  "%7B%7D",
  "paymentId=x&amount=1",
  "<xml/>",
];

/** A raw body: random bytes, a non-object text, or a valid text with invalid UTF-8 spliced in. */
export function rawBody(validText: string): fc.Arbitrary<RawBody> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 256 }).map((bytes) => new RawBody("random bytes", bytes)),
    fc.constantFrom(...NON_OBJECT_BODIES).map((text) =>
      new RawBody(`text ${JSON.stringify(preview(text))}`, encoder.encode(text))
    ),
    fc
      .tuple(fc.constantFrom(...INVALID_UTF8), fc.nat())
      .map(([bad, offset]) => {
        const valid = encoder.encode(validText);
        const at = offset % (valid.length + 1);
        const bytes = new Uint8Array(valid.length + bad.length);
        bytes.set(valid.subarray(0, at));
        bytes.set(bad, at);
        bytes.set(valid.subarray(at), at + bad.length);
        return new RawBody(`valid body with ${bad.map((b) => b.toString(16)).join(" ")} at ${at}`, bytes);
      }),
    deepValue.map((deep) => new RawBody(`bare ${fc.stringify(deep)}`, encoder.encode(emit(deep)))),
  );
}

/** Bytes to send as they are, with a short description for counterexamples. */
export class RawBody {
  constructor(readonly label: string, readonly bytes: Uint8Array<ArrayBuffer>) {}
  [fc.toStringMethod](): string {
    return `RawBody(${this.label}, ${this.bytes.length} bytes)`;
  }
}

/** A text body, printed as its (shortened) text. */
export function textBody(text: string): RawBody {
  return new RawBody(
    `text ${JSON.stringify(preview(text))}`,
    encoder.encode(text) as Uint8Array<ArrayBuffer>,
  );
}

/** Percent-encodes every byte of the UTF-8 form (a lone surrogate becomes U+FFFD, as a browser sends it). */
export function percentEncode(text: string): string {
  return Array.from(encoder.encode(text), (byte) => {
    const char = String.fromCharCode(byte);
    return /[A-Za-z0-9_~-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }).join("");
}

/** Raw percent-escapes: NUL, invalid UTF-8, encoded surrogates, broken escapes, encoded separators. */
export const RAW_ESCAPES: readonly string[] = [
  "%00",
  "%0A",
  "%0D%0A",
  "%FF",
  "%C0%AF",
  "%ED%A0%80",
  "%E2%80%AE",
  "%F0%9F%98%80",
  "%",
  "%2",
  "%zz",
  "%25",
  "%2F",
  "%5C",
  "%2E%2E%2F",
  "%3F",
  "%23",
  "%26",
  "%3D",
  "+",
];

/**
 * Text for a path segment or a query token, exactly as it goes on the wire: unreserved characters, raw
 * escapes, and hostile strings percent-encoded. Never `&`, `=` or `#` unescaped, never `.`/`..` alone.
 */
export const rawUrlToken: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      {
        weight: 3,
        arbitrary: fc.string({ unit: fc.constantFrom(..."abcXYZ019-_~."), minLength: 1, maxLength: 6 }),
      },
      { weight: 2, arbitrary: fc.constantFrom(...RAW_ESCAPES) },
      { weight: 2, arbitrary: hostileString.map(percentEncode) },
    ),
    { minLength: 1, maxLength: 5 },
  )
  .map((parts) => parts.join(""))
  // `.` and `..` segments (also as %2E) are resolved away by the client before they are sent.
  .filter((token) => ![".", ".."].includes(token.replace(/%2e/gi, ".")));
