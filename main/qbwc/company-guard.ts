/**
 * Never write into the wrong company file. An instance learns the company it talks to
 * on its first session (QBWC's FileID data extension under the instance's OwnerID, the
 * company name, the file path) and every later session is compared with it.
 *
 * A different FileID under our OwnerID is decisive. Otherwise a file may legitimately
 * be moved (new path, same name) or a company renamed (same path, new name), so only
 * when both the name and the path differ do we refuse.
 */
import type { HostInfo, LearnedCompany } from '../store/types';

export interface ObservedCompany {
  fileId?: string;
  name?: string;
  path?: string;
}

export type GuardResult =
  | { ok: true; learned: LearnedCompany; changed: string[] }
  | { ok: false; reason: string };

const samePath = (a: string, b: string): boolean =>
  a.replace(/\//g, '\\').toLowerCase().trim() === b.replace(/\//g, '\\').toLowerCase().trim();

const sameText = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

export function observedCompany(host: HostInfo | null, companyFile: string | null): ObservedCompany {
  return {
    fileId: host?.fileId || undefined,
    name: host?.companyName || undefined,
    path: companyFile || undefined,
  };
}

export function checkCompany(
  learned: LearnedCompany | null,
  observed: ObservedCompany,
  host: HostInfo | null,
  now: number,
): GuardResult {
  const refresh = (base: LearnedCompany | null): LearnedCompany => ({
    fileId: observed.fileId ?? base?.fileId,
    name: observed.name ?? base?.name,
    path: observed.path ?? base?.path,
    productName: host?.productName ?? base?.productName,
    majorVersion: host?.majorVersion ?? base?.majorVersion,
    country: host?.country ?? base?.country,
    supportedVersions: host?.supportedVersions.length ? host.supportedVersions : base?.supportedVersions,
    firstSeenAt: base?.firstSeenAt ?? now,
    lastSeenAt: now,
  });
  if (!learned) return { ok: true, learned: refresh(null), changed: [] };

  const describe = (c: ObservedCompany | LearnedCompany) =>
    [c.name && `"${c.name}"`, c.path && `(${c.path})`].filter(Boolean).join(' ') || 'an unknown company file';

  if (learned.fileId && observed.fileId && !sameText(learned.fileId, observed.fileId)) {
    return {
      ok: false,
      reason: `QuickBooks has ${describe(observed)} open, but this connection belongs to ${describe(learned)}. Nothing was sent. Open the right company file in QuickBooks and run the update again.`,
    };
  }
  const nameDiffers = !!(learned.name && observed.name && !sameText(learned.name, observed.name));
  const pathDiffers = !!(learned.path && observed.path && !samePath(learned.path, observed.path));
  if (nameDiffers && pathDiffers) {
    return {
      ok: false,
      reason: `QuickBooks has ${describe(observed)} open, but this connection belongs to ${describe(learned)}. Nothing was sent. Open the right company file in QuickBooks and run the update again.`,
    };
  }
  const changed = [nameDiffers && 'name', pathDiffers && 'path'].filter((x): x is string => !!x);
  return { ok: true, learned: refresh(learned), changed };
}
