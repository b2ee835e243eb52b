/**
 * 3-D Secure by redirect: the challenge page the shopper answers (GET and POST /threeds/{id}), which sends the
 * shopper back to the returnUrl with a redirectResult, and POST /payments/details, which turns a redirectResult
 * into the payment's final result. An unknown or garbled redirectResult is a 422 that changes nothing: the
 * challenge stays open.
 * @module
 */
import { type EmulatorState, readPageAction, seeOther } from "../../kit/emulator/mod.ts";
import { opens } from "./accounts.ts";
import type { Handler } from "./api_call.ts";
import { authorise, notifyResult, refuse, resultBody } from "./authorisation.ts";
import type { EmulatorContext } from "./context.ts";
import { paymentByChallenge, paymentByRedirectResult, savePayment } from "./records.ts";
import { newToken } from "./references.ts";
import { validationError } from "./service_error.ts";
import {
  badChallengeAnswerPage,
  CHALLENGE_ACTIONS,
  challengePage,
  unknownChallengePage,
} from "./threeds_page.ts";
import { isObject } from "./validation.ts";

export function detailsHandler(ctx: EmulatorContext): Handler {
  return function details(caller, body, tx) {
    const details = body.details;
    if (!isObject(details)) {
      return Promise.resolve({
        kind: "rejected",
        error: validationError("000", "Required object 'details' is not provided."),
      });
    }
    const redirectResult = details.redirectResult;
    if (typeof redirectResult !== "string" || redirectResult === "") {
      return Promise.resolve({
        kind: "rejected",
        error: validationError("000", "Required field 'redirectResult' is not provided."),
      });
    }
    const payment = paymentByRedirectResult(tx, redirectResult);
    // A payment of another API credential's merchant account is indistinguishable from an unknown one.
    if (payment === undefined || !opens(caller, payment.merchantAccount)) {
      return Promise.resolve({ kind: "rejected", error: validationError("000", "Invalid payload provided") });
    }
    if (payment.detailsAnswer === undefined) {
      switch (payment.decision) {
        case "approve":
          authorise(tx, payment);
          break;
        case "fail":
          refuse(payment, "Refused", "3D Not Authenticated", "11", "refused");
          break;
        case "cancel":
        case undefined:
          refuse(payment, "Cancelled", "Shopper Cancelled", "16", "cancelled");
          break;
      }
      payment.detailsAnswer = resultBody(payment);
      notifyResult(ctx, tx, payment);
      savePayment(tx, payment);
    }
    return Promise.resolve({ kind: "answered", answer: { status: 200, body: payment.detailsAnswer } });
  };
}

export async function showChallenge(state: EmulatorState, challengeId: string): Promise<Response> {
  const payment = state.read((view) => paymentByChallenge(view, challengeId));
  return payment === undefined ? await unknownChallengePage() : await challengePage(payment);
}

/** The shopper's answer: the first one stands; a second click (or a replayed form) returns the same result. */
export async function answerChallenge(
  state: EmulatorState,
  challengeId: string,
  request: Request,
): Promise<Response> {
  if (state.read((view) => paymentByChallenge(view, challengeId)) === undefined) {
    return await unknownChallengePage();
  }
  const action = await readPageAction(request, CHALLENGE_ACTIONS);
  if (action === undefined) return await badChallengeAnswerPage();
  const answered = await state.transaction((tx) => {
    const payment = paymentByChallenge(tx, challengeId);
    if (payment === undefined) return undefined;
    if (payment.decision === undefined || payment.redirectResult === undefined) {
      payment.decision ??= action;
      payment.redirectResult ??= newToken(32);
      savePayment(tx, payment);
    }
    return payment;
  });
  if (answered?.redirectResult === undefined) return await unknownChallengePage();
  const target = new URL(answered.returnUrl);
  target.searchParams.append("redirectResult", answered.redirectResult);
  return seeOther(target.toString());
}
