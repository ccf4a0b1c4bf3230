/**
 * The clientVersion answer (Guide ch.10): "" to proceed; "W:<text>" to warn and let the
 * user choose; "E:<text>" to refuse; "O:<version>" to tell the user which Web Connector
 * version is needed.
 */

export type BelowMinimumAnswer = 'O' | 'W' | 'E';

export interface ClientVersionPolicy {
  /** e.g. "2.1.0.30"; null accepts every version. */
  minimumVersion: string | null;
  belowMinimum: BelowMinimumAnswer;
}

function parts(version: string): number[] | null {
  if (!/^\d+(\.\d+){0,3}$/.test(version.trim())) return null;
  return version.trim().split('.').map(Number);
}

export function compareDotted(a: string, b: string): number | null {
  const pa = parts(a);
  const pb = parts(b);
  if (!pa || !pb) return null;
  for (let i = 0; i < 4; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function clientVersionAnswer(clientVersion: string, policy: ClientVersionPolicy): string {
  const min = policy.minimumVersion;
  if (!min) return '';
  const cmp = compareDotted(clientVersion, min);
  // An unreadable version can't be judged; let the update run.
  if (cmp === null || cmp >= 0) return '';
  switch (policy.belowMinimum) {
    case 'O':
      return `O:${min}`;
    case 'W':
      return `W:This connection works best with QuickBooks Web Connector ${min} or later; you have ${clientVersion}. You can continue, but please update the Web Connector soon.`;
    case 'E':
      return `E:This connection needs QuickBooks Web Connector ${min} or later; you have ${clientVersion}. Please download the latest Web Connector from Intuit and try again.`;
  }
}
