import type { ErrorData, Problem } from './types';

/**
 * A failed call, over either transport: REST's 4xx/5xx JSON and IPC's `{ok: false}` carry
 * the same data. Status 0 means the companion did not answer at all.
 */
export class CompanionError extends Error implements ErrorData {
  readonly status: number;
  readonly code: string;
  readonly field: string | null;
  readonly problems: Problem[];

  constructor(data: Partial<ErrorData> & { status: number; message: string }) {
    super(data.message);
    this.name = 'CompanionError';
    this.status = data.status;
    this.code = data.code ?? 'error';
    this.field = data.field ?? null;
    this.problems = data.problems && data.problems.length > 0 ? data.problems : [{ field: this.field, message: data.message, rule: this.code }];
  }

  /** The problems the API reported about one field of our input (e.g. "name", "body.name"). */
  problemsWith(field: string): Problem[] {
    return this.problems.filter((p) => p.field !== null && (p.field === field || p.field.startsWith(`${field}.`) || p.field.startsWith(`${field}[`)));
  }
}

export const unreachable = () =>
  new CompanionError({
    status: 0,
    code: 'unreachable',
    message: 'QBWC Companion is not answering. Make sure it is running (its icon in the taskbar tray, or `qbwc-companion serve`), then try again.',
  });
