/**
 * The dev Genstore's side of the OAuth install: the consent page the install sends the merchant to, and the
 * token endpoint the gateway exchanges the code at (contract section 9). Both under the shop's dev
 * GENSTORE_API_BASE, at the paths the mapping module names.
 * @module
 */
import type { Context, Hono } from "hono";
import {
  AUTHORIZATION_CODE_GRANT,
  OAUTH_AUTHORIZE_PATH,
  OAUTH_TOKEN_PATH,
  ONBOARDING_ROUTES,
} from "../genstore/onboarding_wire.ts";
import { signQuery } from "../genstore/signature.ts";
import type { FC } from "hono/jsx";
import { Notice, Page } from "../web/page.tsx";
import { INBOX_PREFIX } from "./genstore_inbox.ts";
import type { DevGenstoreState } from "./genstore_state.ts";

export interface DevOAuthOptions {
  readonly gatewayUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly shopDomain: string;
  readonly state: DevGenstoreState;
  /** The dev Genstore admin page, where a cancelled install goes back to. */
  readonly adminPath: string;
}

export const BRAND = "Genstore (dev mode)";

/**
 * A one-button form posting hidden fields. The dev Genstore's forms carry no CSRF token of their own: its
 * POSTs are refused unless they come from its own pages (sameOriginPosts).
 */
export const PostButton: FC<{
  readonly action: string;
  readonly label: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly tone?: "secondary" | "danger";
}> = (props) => (
  <form method="post" action={props.action} class="inline">
    {Object.entries(props.fields).map(([name, value]) => (
      <input key={name} type="hidden" name={name} value={value} />
    ))}
    <button type="submit" class={props.tone}>{props.label}</button>
  </form>
);

interface ConsentRequest {
  readonly shop: string;
  readonly clientId: string;
  readonly scope: string;
  readonly redirectUri: string;
  readonly state: string;
}

/** What is wrong with an install request, as Genstore would refuse it (unknown app or redirect URI). */
function consentProblem(options: DevOAuthOptions, request: ConsentRequest): string | undefined {
  if (options.state.shop(request.shop) === undefined) return `There is no shop ${request.shop}.`;
  if (request.clientId !== options.clientId) return "The app asking for access is not one Genstore knows.";
  if (request.redirectUri !== `${options.gatewayUrl}${ONBOARDING_ROUTES.oauthCallback}`) {
    return "The app's redirect URI is not the one registered for it.";
  }
  if (request.state === "" || request.scope === "") return "The install request carries no state or scope.";
  return undefined;
}

function requestOf(c: Context, values: Record<string, unknown>): ConsentRequest {
  const text = (name: string) => typeof values[name] === "string" ? values[name] as string : "";
  return {
    shop: c.req.param("shop") ?? "",
    clientId: text("clientId"),
    scope: text("scope"),
    redirectUri: text("redirectUri"),
    state: text("state"),
  };
}

function refusedPage(c: Context, problem: string) {
  return c.html(
    <Page title="Installation refused" brand={BRAND}>
      <Notice tone="bad">{problem}</Notice>
      <p>Start the installation again from the Genstore admin.</p>
    </Page>,
    400,
  );
}

export function mountDevOAuth(app: Hono, options: DevOAuthOptions): void {
  const authorizePath = `${INBOX_PREFIX}/:shop${OAUTH_AUTHORIZE_PATH}`;
  app.get(authorizePath, (c) => {
    const request = requestOf(c, c.req.query());
    const problem = consentProblem(options, request);
    if (problem !== undefined) return refusedPage(c, problem);
    const hidden = {
      clientId: request.clientId,
      scope: request.scope,
      redirectUri: request.redirectUri,
      state: request.state,
    };
    return c.html(
      <Page title={`Install the payment gateway on ${request.shop}?`} brand={BRAND}>
        <p>
          The app <strong>Genstore payment gateway</strong> (client id{" "}
          <code>{request.clientId}</code>) asks for access to shop <strong>{request.shop}</strong>:
        </p>
        <ul>
          {request.scope.split(",").map((scope) => <li key={scope}>{scope}</li>)}
        </ul>
        <p>After you approve, you go on to the app to connect your payment account.</p>
        <p class="actions">
          <PostButton
            action={c.req.path}
            label="Approve and install"
            fields={{ ...hidden, decision: "approve" }}
          />
          <PostButton
            action={c.req.path}
            label="Cancel"
            fields={{ ...hidden, decision: "cancel" }}
            tone="secondary"
          />
        </p>
      </Page>,
    );
  });

  app.post(authorizePath, async (c) => {
    const form = await c.req.parseBody();
    const request = requestOf(c, form);
    const problem = consentProblem(options, request);
    if (problem !== undefined) return refusedPage(c, problem);
    if (form.decision !== "approve") return c.redirect(`${options.adminPath}?cancelled=${request.shop}`, 303);
    const code = options.state.issueCode(request.shop, request.scope);
    const query = await signQuery(options.clientSecret, {
      code,
      shop: `${request.shop}.${options.shopDomain}`,
      state: request.state,
      timestamp: String(Math.floor(Date.now() / 1000)),
    });
    return c.redirect(`${request.redirectUri}?${query}`, 303);
  });

  app.post(`${INBOX_PREFIX}/:shop${OAUTH_TOKEN_PATH}`, async (c) => {
    const shop = c.req.param("shop");
    let body: Record<string, unknown>;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: "invalid_request" }, 400);
    }
    if (body.clientId !== options.clientId || body.clientSecret !== options.clientSecret) {
      return c.json({ error: "invalid_client" }, 401);
    }
    if (body.grantType !== AUTHORIZATION_CODE_GRANT || typeof body.code !== "string") {
      return c.json({ error: "unsupported_grant_type" }, 400);
    }
    const granted = options.state.redeemCode(shop, body.code);
    if (granted === undefined) return c.json({ error: "invalid_grant" }, 400);
    return c.json({ accessToken: options.state.issueToken(shop), scope: granted.scope });
  });
}
