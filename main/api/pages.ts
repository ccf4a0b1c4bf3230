/**
 * The two HTML pages the Web Connector itself opens: the AppSupport page (fetched when
 * a QWC is added; it must answer 200) and the interactive-mode page.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { QbwcService } from '../qbwc/service';
import { escapeText } from '../xml/escape';

export const htmlPage = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeText(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.4rem}button{font:inherit;padding:.5rem 1rem;margin-right:.5rem}.note{color:#555}</style>
</head><body>${body}</body></html>`;

/** An HTML page of the companion's own (no scripts): for the Web Connector and for plain-words notices. */
export function sendHtml(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    'X-Frame-Options': 'DENY',
  });
  res.end(body);
}

export function supportPage(productName: string, version: string) {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    sendHtml(
      res,
      200,
      htmlPage(
        `${productName} support`,
        `<h1>${escapeText(productName)}</h1>
<p>This PC runs ${escapeText(productName)} ${escapeText(version)}. It passes work between QuickBooks Desktop and your other apps through QuickBooks Web Connector.</p>
<h2>If an update fails</h2>
<ul>
<li>Make sure QuickBooks is open, with the right company file, and that no QuickBooks window is waiting for an answer.</li>
<li>In the Web Connector, check that the password for this application is the one shown in ${escapeText(productName)}.</li>
<li>Open ${escapeText(productName)} to see each update, what was sent, and any problem explained.</li>
</ul>`,
      ),
    );
  };
}

async function formAction(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 1000) break;
  }
  return new URLSearchParams(body).get('action') ?? '';
}

/** GET shows what needs the bookkeeper's decision; POST records it. */
export function interactivePage(qbwc: QbwcService) {
  return async (req: IncomingMessage, res: ServerResponse, token: string): Promise<void> => {
    const session = qbwc.findByInteractiveToken(token);
    if (!session) return sendHtml(res, 404, htmlPage('Not found', '<h1>This page has expired</h1><p>Run the update again from the Web Connector.</p>'));
    if (req.method === 'POST') {
      const action = await formAction(req);
      const done = qbwc.finishInteractive(token, action === 'accept' ? 'accepted' : 'dismissed');
      return sendHtml(
        res,
        200,
        htmlPage(
          'Done',
          done && action === 'accept'
            ? '<h1>Thank you</h1><p>The open company file will be used from now on. Run the update again in the Web Connector.</p>'
            : '<h1>Nothing changed</h1><p>You can close this window.</p>',
        ),
      );
    }
    const problem = session.lastError ?? 'There is nothing to confirm.';
    const actions =
      session.status === 'wrong_company' && session.interactiveState === 'open'
        ? `<form method="post"><button name="action" value="accept">Use the open company file from now on</button><button name="action" value="dismiss">Cancel</button></form>
<p class="note">Choose “Use the open company file” only if this connection really belongs to the company that is open in QuickBooks.</p>`
        : '<p>You can close this window.</p>';
    sendHtml(res, 200, htmlPage('QuickBooks update needs you', `<h1>QuickBooks update needs your decision</h1><p>${escapeText(problem)}</p>${actions}`));
  };
}
