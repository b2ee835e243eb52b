/**
 * The console's frame: the kit's Page with the console's navigation, and the one-time notice of the action that led here.
 * @module
 */
import type { FC, PropsWithChildren } from "hono/jsx";
import { Notice, Page } from "../web/page.tsx";

const LINKS = [
  ["/console/overview", "Overview"],
  ["/console/payments", "Payments"],
  ["/console/review", "Review queue"],
  ["/console/incidents", "Incidents"],
  ["/console/dead-letters", "Dead letters"],
  ["/console/audit", "Audit"],
] as const;

export const ConsolePage: FC<
  PropsWithChildren<{ title: string; current?: string; notice?: { tone: "ok" | "bad"; text: string } }>
> = (
  props,
) => (
  <Page
    title={props.title}
    brand="Operator console"
    nav={LINKS.map(([href, label]) => ({ href, label, current: href === props.current }))}
  >
    {props.notice ? <Notice tone={props.notice.tone}>{props.notice.text}</Notice> : null}
    {props.children}
  </Page>
);
