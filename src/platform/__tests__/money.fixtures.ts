import fc from 'fast-check';
import { currencyExponents, type Money, money } from '../money.js';

export const eur = (amount: number): Money => money(amount, 'EUR');
export const amounts = (list: Money[]): number[] => list.map((m) => m.amount);

/** Runs `fn` and returns the `code` of what it threw, so assertions can name the stable error code. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

export const allCurrencies = Object.keys(currencyExponents);
export const bigAmount = fc.integer({ min: -1e12, max: 1e12 });
export const positiveWeights = fc
  .array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 50 })
  .filter((ws) => ws.some((w) => w > 0));
export const zeroWeights = fc.integer({ min: 1, max: 50 }).map((n) => new Array<number>(n).fill(0));
export const anyWeights = fc.oneof(positiveWeights, zeroWeights);
