import { SingleBar } from 'cli-progress';

export interface Progress {
  tick(n?: number): void;
  done(): void;
}

/**
 * A progress bar in a terminal; plain "label: 40/100" lines (every 10%) when output is a pipe or
 * a CI log, where a redrawn bar would be noise.
 */
export function createProgress(
  label: string,
  total: number,
  out: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
): Progress {
  if (out.isTTY) {
    const bar = new SingleBar({
      format: `${label} [{bar}] {value}/{total} {percentage}% | {eta_formatted} left`,
      stream: out,
    });
    bar.start(total, 0);
    return { tick: (n = 1) => bar.increment(n), done: () => bar.stop() };
  }
  let value = 0;
  let lastDecile = -1;
  let printed = -1;
  const line = () => {
    printed = value;
    out.write(`${label}: ${value}/${total}\n`);
  };
  return {
    tick(n = 1) {
      value += n;
      const decile = total === 0 ? 10 : Math.floor((value / total) * 10);
      if (decile > lastDecile) {
        lastDecile = decile;
        line();
      }
    },
    done() {
      // The final count, unless the last line already said it.
      if (printed !== value) line();
    },
  };
}
