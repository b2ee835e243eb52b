/**
 * Validates request and response bodies against an OpenAPI 3.1 document, so emulators and plugins are held to
 * the PSP's published contract rather than to our reading of it.
 * @module
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ValidateFunction } from "ajv/dist/2020.js";

/** One schema violation, as a JSON pointer into the validated value and a message. */
export interface SpecIssue {
  readonly path: string;
  readonly message: string;
}

export interface SpecValidator {
  /** Checks a JSON request body of `method pathTemplate` (a path of `paths`, or a key of `webhooks`). */
  request(method: string, pathTemplate: string, body: unknown): SpecIssue[];
  /** Checks a JSON response body of `method pathTemplate` answered with `status`. */
  response(method: string, pathTemplate: string, status: number, body: unknown): SpecIssue[];
  /** Checks a value against `#/components/schemas/{componentName}`. */
  schema(componentName: string, value: unknown): SpecIssue[];
}

type Json = Record<string, unknown>;

const SPEC_ID = "https://spec.invalid/openapi.json";

const CACHE = new Map<string, SpecValidator>();

/**
 * Loads an OpenAPI 3.1 document and returns a validator for it. Validators are cached per file and compiled
 * schemas per pointer, because the PSP documents are large and many tests share them.
 *
 * @example
 * const checkout = createSpecValidator("test/peers/adyen/CheckoutService-v71.json");
 * assertEquals(checkout.request("POST", "/payments", body), []);
 */
export function createSpecValidator(specPath: string | URL): SpecValidator {
  const cacheKey = String(specPath);
  const cached = CACHE.get(cacheKey);
  if (cached !== undefined) return cached;
  const spec = JSON.parse(Deno.readTextFileSync(specPath)) as Json;
  // Formats (int64, date-time, ...) are not validated: ajv-formats is not a dependency, and OpenAPI uses
  // formats such as int32 that JSON Schema does not define. Unknown keywords (x-*, example) are ignored.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, validateSchema: false });
  ajv.addSchema({ ...spec, $id: SPEC_ID });
  const compiled = new Map<string, ValidateFunction>();

  function validateAt(pointer: string, value: unknown): SpecIssue[] {
    let validate = compiled.get(pointer);
    if (validate === undefined) {
      validate = ajv.compile({ $ref: `${SPEC_ID}#${pointer}` });
      compiled.set(pointer, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map((error) => ({
      path: error.instancePath === "" ? "/" : error.instancePath,
      message: `${error.message ?? "is invalid"}${describeParams(error.params)}`,
    }));
  }

  function operationPointer(method: string, pathTemplate: string): string | undefined {
    const verb = method.toLowerCase();
    for (const section of ["paths", "webhooks"]) {
      const operations = (spec[section] as Json | undefined)?.[pathTemplate] as Json | undefined;
      if (operations?.[verb] !== undefined) return `/${section}/${escapePointer(pathTemplate)}/${verb}`;
    }
    return undefined;
  }

  const validator: SpecValidator = {
    request(method, pathTemplate, body) {
      const operation = operationPointer(method, pathTemplate);
      if (operation === undefined) return [{ path: "/", message: `no operation ${method} ${pathTemplate}` }];
      const requestBody = resolvePointer(spec, `${operation}/requestBody`);
      if (requestBody === undefined) return [{ path: "/", message: "operation has no request body" }];
      const pointer = `${
        refOrPointer(spec, requestBody, `${operation}/requestBody`)
      }/content/application~1json/schema`;
      if (resolvePointer(spec, pointer) === undefined) {
        return [{ path: "/", message: "no JSON request schema" }];
      }
      return validateAt(pointer, body);
    },
    response(method, pathTemplate, status, body) {
      const operation = operationPointer(method, pathTemplate);
      if (operation === undefined) return [{ path: "/", message: `no operation ${method} ${pathTemplate}` }];
      const responses = resolvePointer(spec, `${operation}/responses`) as Json | undefined;
      const key = responses?.[String(status)] !== undefined ? String(status) : "default";
      const response = responses?.[key];
      if (response === undefined) {
        return [{ path: "/", message: `no response documented for status ${status}` }];
      }
      const base = refOrPointer(spec, response, `${operation}/responses/${key}`);
      const pointer = `${base}/content/application~1json/schema`;
      if (resolvePointer(spec, pointer) === undefined) {
        return body === undefined ? [] : [{ path: "/", message: `no JSON schema for status ${status}` }];
      }
      return validateAt(pointer, body);
    },
    schema(componentName, value) {
      const pointer = `/components/schemas/${escapePointer(componentName)}`;
      if (resolvePointer(spec, pointer) === undefined) {
        return [{ path: "/", message: `no component schema ${componentName}` }];
      }
      return validateAt(pointer, value);
    },
  };
  CACHE.set(cacheKey, validator);
  return validator;
}

/** Formats issues as one line each, for assertion messages. */
export function formatIssues(issues: readonly SpecIssue[]): string {
  return issues.map((issue) => `${issue.path}: ${issue.message}`).join("\n");
}

function describeParams(params: unknown): string {
  if (params === null || typeof params !== "object") return "";
  const entries = Object.entries(params as Json).filter(([, value]) => value !== undefined);
  return entries.length === 0 ? "" : ` (${entries.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(", ")})`;
}

function escapePointer(segment: string): string {
  return segment.replaceAll("~", "~0").replaceAll("/", "~1");
}

function unescapePointer(segment: string): string {
  return segment.replaceAll("~1", "/").replaceAll("~0", "~");
}

function resolvePointer(document: Json, pointer: string): unknown {
  let node: unknown = document;
  for (const segment of pointer.split("/").slice(1)) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Json)[unescapePointer(segment)];
  }
  return node;
}

/** Follows a `$ref` of an OpenAPI object (request body, response) to the pointer of its target. */
function refOrPointer(document: Json, node: unknown, pointer: string): string {
  let current = node as Json | undefined;
  let at = pointer;
  // Bounded: a response $ref chain longer than this is a broken document, not a real one.
  for (let depth = 0; depth < 8 && typeof current?.$ref === "string"; depth++) {
    const ref = current.$ref as string;
    if (!ref.startsWith("#")) throw new Error(`Cannot follow an external reference: ${ref}`);
    at = ref.slice(1);
    current = resolvePointer(document, at) as Json | undefined;
  }
  return at;
}
