/**
 * The OpenAPI document of the Genstore-facing API, generated from the same zod schemas that validate the
 * requests (zod's own `toJSONSchema`), so documentation and behaviour cannot drift apart.
 * @module
 */
import { z } from "zod";
import { OPERATION_WIRE } from "../genstore/wire.ts";
import type { OperationKind } from "../../src/mod.ts";

const ERROR = z.object({ error: z.string() });
const INVALID = z.object({
  error: z.literal("invalid_request"),
  issues: z.array(z.object({ path: z.string(), message: z.string() })),
});

function answerSchema(kind: OperationKind) {
  const shape: Record<string, z.ZodType> = {
    [OPERATION_WIRE[kind].channelField]: z.string().optional(),
    error: z.string().optional().describe("A stable code, a colon, and a short explanation"),
  };
  if (kind === "payment") {
    shape.redirectUrl = z.string().optional().describe("Send the buyer here (3DS, offsite)");
  }
  return z.object(shape);
}

function statusSchema(kind: OperationKind) {
  const statuses = kind === "payment"
    ? ["PROCESSING", "AUTHORIZED", "SUCCESS", "FAILURE"] as const
    : ["PROCESSING", "SUCCESS", "FAILURE"] as const;
  return z.object({
    [OPERATION_WIRE[kind].channelField]: z.string(),
    status: z.enum(statuses),
    error: z.string().optional(),
  });
}

function json(schema: z.ZodType, description: string) {
  return {
    description,
    content: { "application/json": { schema: z.toJSONSchema(schema, { io: "input" }) } },
  };
}

const extensionParameter = { name: "extension", in: "path", required: true, schema: { type: "string" } };
const shopHeader = {
  name: "X-Genstore-Shop-Domain",
  in: "header",
  required: true,
  schema: { type: "string", example: "demo.genmystore.com" },
};

export function openApiDocument(serverUrl: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const kind of ["payment", "capture", "void", "refund"] as const) {
    const wire = OPERATION_WIRE[kind];
    paths[`/v1/ext/{extension}/${wire.route}`] = {
      post: {
        summary: `Request a ${kind}`,
        parameters: [extensionParameter, shopHeader, {
          name: "X-Genstore-Hmac-Sha256",
          in: "header",
          required: true,
          description: "Base64 (or lower-case hex) HMAC-SHA256 of the raw body with the client secret",
          schema: { type: "string" },
        }],
        requestBody: {
          required: true,
          content: { "application/json": { schema: z.toJSONSchema(wire.schema, { io: "input" }) } },
        },
        responses: {
          200: json(answerSchema(kind), "Accepted; a replay carries `Idempotent-Replayed: true`"),
          400: json(INVALID, "Malformed request; nothing stored"),
          401: json(ERROR, "`invalid_signature`"),
          403: json(ERROR, "`shop_not_authorized`"),
          409: json(ERROR, "`idempotency_conflict`, or `request_in_progress` with Retry-After"),
          413: json(ERROR, "`payload_too_large`"),
        },
      },
    };
    paths[`/v1/ext/{extension}/${wire.route}/{id}`] = {
      get: {
        summary: `Query a ${kind}`,
        parameters: [
          extensionParameter,
          { name: "id", in: "path", required: true, schema: { type: "string" } },
          {
            ...shopHeader,
            required: false,
          },
          ...["timestamp", "hmac", "shop"].map((name) => ({
            name,
            in: "query",
            required: name !== "shop",
            schema: { type: "string" },
          })),
        ],
        responses: {
          200: json(statusSchema(kind), "Current status"),
          401: json(ERROR, "`invalid_signature`"),
          403: json(ERROR, "`shop_not_authorized`"),
          404: json(ERROR, "`not_found`"),
        },
      },
    };
  }
  paths["/healthz"] = { get: { summary: "The process is up", responses: { 200: { description: "ok" } } } };
  paths["/readyz"] = {
    get: {
      summary: "The database answers and migrations are done",
      responses: { 200: { description: "ready" }, 503: { description: "not ready" } },
    },
  };
  return {
    openapi: "3.1.0",
    info: { title: "Genstore payment gateway", version: "1.0.0" },
    servers: [{ url: serverUrl }],
    paths,
  };
}
