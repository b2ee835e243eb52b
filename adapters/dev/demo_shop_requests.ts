/**
 * The demo shop's requests to the gateway, sent as Genstore sends them, and what the page says about each
 * answer. A request whose answer takes long (a PSP that holds the connection) goes on in the background and
 * the page is answered at once: the row shows "waiting for the PSP…" meanwhile, and an answer that comes
 * late is remembered so the next page view still shows it.
 * @module
 */
import type { SentRequest } from "./genstore_client.ts";

/** How long a form POST waits for the gateway's answer before it redirects and lets it finish behind. */
export const ANSWER_WAIT_MS = 1_000;
const KEEP_LATE = 20;
const KEEP_LINKS = 200;

/** What the page shows after a POST (a flash), or later for a late answer. */
export interface Outcome {
  readonly tone: "ok" | "bad" | "wait";
  readonly text: string;
  /** Where the buyer goes next (a PSP's approval or challenge page). */
  readonly link?: string;
}

export type RequestKind = "payment" | "capture" | "void" | "refund";

/** The notice of one answer: a refusal with its status, code and message; an approval page to follow. */
export function outcomeOf(kind: RequestKind, id: string, answer: SentRequest): Outcome {
  const code = typeof answer.body.error === "string" ? answer.body.error : undefined;
  if (answer.status >= 400) {
    const issues = Array.isArray(answer.body.issues)
      ? (answer.body.issues as { path?: unknown; message?: unknown }[])
        .map((issue) => `${String(issue.path)}: ${String(issue.message)}`).join("; ")
      : "";
    return {
      tone: "bad",
      text: `The gateway refused the ${kind} (HTTP ${answer.status} ${code ?? "error"})` +
        `${issues === "" ? "" : `: ${issues}`}. Nothing was stored.`.slice(0, 600),
    };
  }
  if (code !== undefined) {
    return { tone: "bad", text: `The ${kind} ${id} did not go through: ${code}`.slice(0, 600) };
  }
  if (typeof answer.body.redirectUrl === "string") {
    return {
      tone: "wait",
      text: `The ${kind} ${id} waits for the buyer at the PSP's page: follow the link to act as the buyer.`,
      link: answer.body.redirectUrl,
    };
  }
  return {
    tone: "ok",
    text: `The gateway answered the ${kind} ${id}; its row below shows what the PSP said.`,
  };
}

export interface PendingRequests {
  /**
   * Sends a request and waits for its answer at most ANSWER_WAIT_MS; past that, the answer's notice is kept
   * for a later page view and a "sent, waiting" outcome is returned at once.
   */
  send(kind: RequestKind, id: string, request: () => Promise<SentRequest>): Promise<Outcome>;
  /** Answers that came after their POST was answered, oldest first; each is returned once. */
  takeLate(): Outcome[];
  /** The PSP page a payment's buyer is sent to, as the gateway answered it (this process only). */
  linkOf(paymentId: string): string | undefined;
}

export function pendingRequests(waitMs = ANSWER_WAIT_MS): PendingRequests {
  const late: Outcome[] = [];
  const links = new Map<string, string>();
  function settle(kind: RequestKind, id: string, answer: SentRequest): Outcome {
    const outcome = outcomeOf(kind, id, answer);
    if (kind === "payment" && outcome.link !== undefined) {
      links.set(id, outcome.link);
      if (links.size > KEEP_LINKS) links.delete(links.keys().next().value!);
    }
    return outcome;
  }
  return {
    async send(kind, id, request) {
      const answered = request().then(
        (answer) => settle(kind, id, answer),
        (error): Outcome => ({
          tone: "bad",
          text: `The ${kind} ${id} got no answer from the gateway (${
            error instanceof Error ? error.name : "error"
          }).`,
        }),
      );
      let timer: ReturnType<typeof setTimeout> | undefined;
      const tooLong = new Promise<undefined>((resolve) =>
        timer = setTimeout(() => resolve(undefined), waitMs)
      );
      const first = await Promise.race([answered, tooLong]);
      clearTimeout(timer);
      if (first !== undefined) return first;
      answered.then((outcome) => {
        // Only what the row cannot show is worth a notice later: a refusal, or a page to follow.
        if (outcome.tone === "ok") return;
        late.push(outcome);
        if (late.length > KEEP_LATE) late.shift();
      });
      return {
        tone: "wait",
        text: `The ${kind} ${id} is sent; the gateway is still waiting for the PSP. Its row shows ` +
          "“waiting for the PSP…” until the answer is known, and this page refreshes itself meanwhile.",
      };
    },
    takeLate: () => late.splice(0, late.length),
    linkOf: (paymentId) => links.get(paymentId),
  };
}
