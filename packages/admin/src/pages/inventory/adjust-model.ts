import { BackroomError } from '@backroom/client';
import type { AdjustBody, AdjustmentReason } from './api';

/** "Set on hand to 12" or "add / remove 3": both are sent as a compare-and-set against the value shown. */
export type AdjustMode = 'set' | 'add';

export interface AdjustDraft {
  mode: AdjustMode;
  /** What was typed (a whole number; negative only when adding). */
  value: string;
  reason: AdjustmentReason;
  note: string;
}

const WHOLE = /^[-+]?\d+$/;

/**
 * The new on hand the draft asks for, starting from `base` (the on hand the member was shown), or why it cannot be
 * sent. The request always carries `expectedOnHand: base`, so if someone else changed the count meanwhile the
 * server refuses (409 ON_HAND_MISMATCH) instead of overwriting their change — also for "add 3", which would
 * otherwise silently stack on a count the member never saw.
 */
export function targetOnHand(draft: AdjustDraft, base: number): { value: number } | { error: string } {
  const text = draft.value.trim();
  if (!WHOLE.test(text)) return { error: 'Enter a whole number' };
  const n = Number(text);
  if (draft.mode === 'set') {
    if (n < 0) return { error: 'On hand cannot be below 0' };
    return { value: n };
  }
  if (n === 0) return { error: 'Enter how many units to add (or a negative number to remove)' };
  if (base + n < 0) return { error: `Only ${base} on hand: cannot remove ${-n}` };
  return { value: base + n };
}

export function adjustBody(draft: AdjustDraft, locationId: string, base: number, target: number): AdjustBody {
  const note = draft.note.trim();
  return {
    locationId,
    set: target,
    expectedOnHand: base,
    reason: draft.reason,
    ...(note ? { note } : {}),
  };
}

/** The on hand the server holds now, when it refused a stale compare-and-set. */
export function currentOnHandOf(error: unknown): number | undefined {
  if (!(error instanceof BackroomError) || error.code !== 'ON_HAND_MISMATCH') return undefined;
  const body = error.body as { currentOnHand?: unknown } | undefined;
  return typeof body?.currentOnHand === 'number' ? body.currentOnHand : undefined;
}
