/**
 * The install (contract section 9): `GET /install` sends the merchant to Genstore's consent page with a
 * one-time state; `GET /oauth/callback` checks the launch, the state (the cookie's, issued for this shop,
 * used once), exchanges the code for the shop's access token, stores it sealed and lands on the shop's
 * account-authorization page. Any failed check answers a page that says so, and stores nothing.
 * @module
 */
import type { Context, Hono } from "hono";
import { OAUTH_CALLBACK_PARAMS, oauthAuthorizeUrl, ONBOARDING_ROUTES } from "../genstore/onboarding_wire.ts";
import { type OnboardingDeps, publicOrigin } from "./deps.ts";
import { checkLaunch, sameText } from "./launch.ts";
import { issueState, newState, useState } from "./oauth_states.ts";
import { problemPage, START_AGAIN } from "./problem_page.tsx";
import { type OnboardingSessions, type Prepared, STATE_TTL_SECONDS } from "./sessions.ts";
import { exchangeCode } from "./token_exchange.ts";

export function registerInstallRoutes(app: Hono, deps: OnboardingDeps, prepared: Promise<Prepared>): void {
  app.get(ONBOARDING_ROUTES.install, async (c) => install(c, deps, (await prepared).sessions));
  app.get(ONBOARDING_ROUTES.oauthCallback, async (c) => callback(c, deps, (await prepared).sessions));
}

async function install(c: Context, deps: OnboardingDeps, sessions: OnboardingSessions): Promise<Response> {
  const launch = await checkLaunch(c, deps);
  if (!launch.ok) {
    return problemPage(c, launch.status, {
      title: "Installation not started",
      happened: launch.problem,
      next: `${START_AGAIN} Choose Install there.`,
    });
  }
  const state = newState();
  const now = deps.gateway.clock.now();
  await issueState(deps.db, launch.shop, state, now, STATE_TTL_SECONDS * 1000);
  await sessions.install.start(c, { shop: launch.shop, state });
  const { appUrl } = publicOrigin(deps);
  return c.redirect(
    oauthAuthorizeUrl(deps.apiBase, launch.shop, {
      clientId: deps.clientId,
      scope: deps.scopes,
      redirectUri: `${appUrl}${ONBOARDING_ROUTES.oauthCallback}`,
      state,
    }),
    302,
  );
}

function refused(c: Context, happened: string): Response | Promise<Response> {
  return problemPage(c, 401, {
    title: "Installation not completed",
    happened,
    next: `${START_AGAIN} Choose Install again; the app asks Genstore for a new authorization.`,
  });
}

async function callback(c: Context, deps: OnboardingDeps, sessions: OnboardingSessions): Promise<Response> {
  const launch = await checkLaunch(c, deps);
  if (!launch.ok) return refused(c, launch.problem);
  const shop = launch.shop;
  const code = c.req.query(OAUTH_CALLBACK_PARAMS.code) ?? "";
  const state = c.req.query(OAUTH_CALLBACK_PARAMS.state) ?? "";
  if (code === "" || code.length > 2048) return refused(c, "Genstore sent no authorization code.");
  const session = await sessions.install.read(c);
  if (session === undefined) {
    return refused(
      c,
      "This browser did not bring back the installation's cookie: the installation was started in another " +
        "browser, more than 10 minutes ago, or with cookies blocked.",
    );
  }
  if (!sameText(session.data.state, state) || session.data.shop !== shop) {
    return refused(c, "The installation's state does not match the one this browser was given.");
  }
  sessions.install.end(c);
  if (!await useState(deps.db, shop, state, deps.gateway.clock.now())) {
    return refused(c, "This installation link was already used, or has expired.");
  }
  const exchange = await exchangeCode(deps, shop, code);
  if (!exchange.ok && exchange.kind === "refused") {
    return refused(c, `Genstore did not accept the authorization code (HTTP ${exchange.status}).`);
  }
  if (!exchange.ok) {
    return problemPage(c, 502, {
      title: "Installation not completed",
      happened: "Genstore could not be reached to complete the installation, or gave no usable answer.",
      next: `Wait a minute, then ${START_AGAIN.charAt(0).toLowerCase()}${
        START_AGAIN.slice(1)
      } Choose Install.`,
    });
  }
  await deps.shops.install(shop, exchange.accessToken);
  deps.gateway.logger.info("onboarding.installed", { shop, scope: exchange.scope });
  const first = deps.extensionPlugins.keys().next().value;
  if (first === undefined) return c.text("Installed", 200);
  await sessions.authorize(first).start(c, { shop, extension: first });
  return c.redirect(`${ONBOARDING_ROUTES.authorize(first)}?installed=1`, 302);
}
