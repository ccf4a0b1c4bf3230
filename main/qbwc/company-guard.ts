/**
 * Never write into the wrong company file. An instance learns the company it talks to
 * on its first session (QBWC's FileID data extension under the instance's OwnerID, the
 * company name, the file path) and every later session is compared with it.
 *
 * The FileID is QBWC's stamp in the company file itself, so it is the evidence that
 * counts: the same FileID accepts a moved or renamed file, a different or missing one
 * refuses it. Without it on both sides, the name and the path must both still match —
 * a file that changed either can't be told from another company's, and a session that
 * slipped through would also re-teach the instance the wrong company. The bookkeeper
 * settles a real move by forgetting the learned company (REST, CLI `instances
 * forget-company`, or the interactive page).
 */
import { normalizeGuid } from '../qbxml/hcp';
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

const describe = (c: ObservedCompany | LearnedCompany) =>
  [c.name && `"${c.name}"`, c.path && `(${c.path})`].filter(Boolean).join(' ') || 'a company file it could not identify';

const NEXT_STEP =
  'Nothing was sent. Open the right company file in QuickBooks and run the update again. If this is the right file (it was moved or renamed), have QBWC Companion forget the company file it learned for this connection first.';

/**
 * `host` is the parsed HCP response, null when QuickBooks sent none (or none we could
 * read): then a missing FileID says nothing.
 */
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

  const nameDiffers = !!(learned.name && observed.name && !sameText(learned.name, observed.name));
  const pathDiffers = !!(learned.path && observed.path && !samePath(learned.path, observed.path));
  const changed = [nameDiffers && 'name', pathDiffers && 'path'].filter((x): x is string => !!x);
  const refuse = (why: string): GuardResult => ({
    ok: false,
    reason: `QuickBooks has ${describe(observed)} open, but ${why} ${NEXT_STEP}`,
  });

  if (learned.fileId && observed.fileId) {
    if (normalizeGuid(learned.fileId) === normalizeGuid(observed.fileId)) return { ok: true, learned: refresh(learned), changed };
    return refuse(
      changed.length > 0
        ? `this connection belongs to ${describe(learned)}.`
        : `it is not the company file this connection was set up with: it carries another Web Connector file ID (it may be a copy, or a different company of the same name).`,
    );
  }
  if (learned.fileId && host !== null) {
    return refuse(
      `this connection belongs to ${describe(learned)}, and the open file does not carry its Web Connector file ID.`,
    );
  }
  if (changed.length > 0) return refuse(`this connection belongs to ${describe(learned)}.`);
  if (!observed.name && !observed.path && (learned.name || learned.path)) {
    return refuse(`this connection belongs to ${describe(learned)}.`);
  }
  return { ok: true, learned: refresh(learned), changed };
}
