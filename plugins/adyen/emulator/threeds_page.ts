/**
 * The emulator's 3D Secure challenge page: a plain HTML form that POSTs `action=approve|fail|cancel` to its
 * own URL, so a person with a browser and a script without one drive it the same way.
 * @module
 */

export const CHALLENGE_ACTIONS = ["approve", "fail", "cancel"] as const;
export type ChallengeAction = typeof CHALLENGE_ACTIONS[number];

export function isChallengeAction(value: unknown): value is ChallengeAction {
  return typeof value === "string" && (CHALLENGE_ACTIONS as readonly string[]).includes(value);
}

export interface ChallengeView {
  readonly merchantAccount: string;
  readonly merchantReference: string;
  readonly amountText: string;
  readonly cardSummary: string;
  readonly decided?: ChallengeAction;
}

export function renderChallengePage(view: ChallengeView): string {
  const decided = view.decided === undefined
    ? ""
    : `<p>This challenge was already answered (${
      escapeHtml(view.decided)
    }); answering again returns you to the shop.</p>`;
  // The form has no action attribute: it posts to the page's own URL, whatever prefix the emulator is under.
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>3D Secure challenge (Adyen emulator)</title></head>
<body>
<h1>3D Secure challenge</h1>
<p>${escapeHtml(view.merchantAccount)} asks you to confirm a payment of ${escapeHtml(view.amountText)}
with the card ending in ${escapeHtml(view.cardSummary)} (reference ${escapeHtml(view.merchantReference)}).</p>
${decided}
<form method="post">
<button type="submit" name="action" value="approve">Approve</button>
<button type="submit" name="action" value="fail">Fail authentication</button>
<button type="submit" name="action" value="cancel">Cancel</button>
</form>
</body>
</html>
`;
}

export function renderMessagePage(title: string, message: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll(
    '"',
    "&quot;",
  )
    .replaceAll("'", "&#39;");
}
