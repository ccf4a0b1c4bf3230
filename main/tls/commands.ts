/**
 * `qbwc-companion tls …`: the CA's certificate for the Web Connector's PC, and Windows'
 * trust in it. None of these commands touches the database or prints a private key.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type CertificateInfo, loadOrCreateCa, readCaCertificate, readServerCertificate, RENEW_WITHIN_DAYS, tlsPaths } from './ca';
import { loadHttpsEndpoint } from './https';
import { type CommandRunner, trustCa, trustStatus, untrustCa } from './trust';

export const TLS_USAGE = `  tls status                  The companion's CA and https certificate, and whether Windows trusts the CA.
  tls export-ca [--out FILE]  Write the CA certificate (PEM, .crt) for the Web Connector's PC (makes the CA if needed).
  tls trust                   Windows: add the CA to this user's trusted roots (certutil; Windows asks to confirm).
                              Elsewhere: prints how to do it on the Web Connector's PC.
  tls untrust                 Windows: remove it again. Elsewhere: prints how.`;

export interface TlsCommandContext {
  dataDir: string;
  out?: string;
  platform?: NodeJS.Platform;
  run?: CommandRunner;
  env?: NodeJS.ProcessEnv;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

const brief = (c: CertificateInfo) => ({
  subject: c.subject,
  serialNumber: c.serialNumber,
  thumbprint: c.thumbprint,
  notBefore: c.notBefore.toISOString(),
  notAfter: c.notAfter.toISOString(),
  altNames: c.altNames.length > 0 ? c.altNames : undefined,
});

/** Runs a `tls` subcommand; returns the process exit code. A TlsError or usage problem is thrown. */
export async function runTlsCommand(sub: string | undefined, ctx: TlsCommandContext): Promise<number> {
  const platform = ctx.platform ?? process.platform;
  const out = ctx.stdout ?? ((t: string) => process.stdout.write(t));
  const err = ctx.stderr ?? ((t: string) => process.stderr.write(t));
  const paths = tlsPaths(ctx.dataDir);
  switch (sub) {
    case 'status': {
      const ca = readCaCertificate(ctx.dataDir);
      const server = readServerCertificate(ctx.dataDir);
      const trust = ca ? await trustStatus({ platform, caFile: paths.caCert, thumbprint: ca.thumbprint, run: ctx.run, env: ctx.env }) : null;
      const renewBy = server ? new Date(server.notAfter.getTime() - RENEW_WITHIN_DAYS * 86_400_000).toISOString() : undefined;
      out(
        JSON.stringify(
          {
            ca: ca ? { ...brief(ca), file: paths.caCert } : null,
            server: server ? { ...brief(server), renewedAfter: renewBy } : null,
            qwcBaseUrl: loadHttpsEndpoint(ctx.dataDir)?.baseUrl ?? null,
            trustedByWindows: trust?.installed ?? null,
            message: ca ? trust?.message : 'No CA yet: it is made by "qbwc-companion serve --https-port N" or "qbwc-companion tls export-ca".',
          },
          null,
          2,
        ) + '\n',
      );
      return 0;
    }
    case 'export-ca': {
      const ca = await loadOrCreateCa(ctx.dataDir);
      if (ca.created) err(`Made the companion's certificate authority (thumbprint ${ca.info.thumbprint}).\n`);
      if (!ctx.out) {
        out(ca.info.pem);
        return 0;
      }
      fs.writeFileSync(ctx.out, ca.info.pem, { mode: 0o644 });
      err(
        `Wrote ${path.resolve(ctx.out)} (the CA certificate only, no key; thumbprint ${ca.info.thumbprint}). ` +
          `On the PC where QuickBooks Web Connector runs: certutil -user -addstore Root ${path.basename(ctx.out)} (and answer Yes), ` +
          `or double-click it > Install Certificate > Current User > Trusted Root Certification Authorities.\n`,
      );
      return 0;
    }
    case 'trust': {
      const ca = await loadOrCreateCa(ctx.dataDir);
      if (platform === 'win32') err('Windows will ask you to confirm adding the certificate: check that the thumbprint it shows is ' + ca.info.thumbprint + '.\n');
      const result = await trustCa({ platform, caFile: paths.caCert, thumbprint: ca.info.thumbprint, run: ctx.run, env: ctx.env });
      (result.kind === 'failed' ? err : out)(`${result.message}\n${result.kind === 'failed' && result.output ? `${result.output}\n` : ''}`);
      return result.kind === 'failed' ? 1 : 0;
    }
    case 'untrust': {
      const ca = readCaCertificate(ctx.dataDir);
      if (!ca) {
        out('There is no CA in this data folder: nothing to remove.\n');
        return 0;
      }
      const result = await untrustCa({ platform, caFile: paths.caCert, thumbprint: ca.thumbprint, run: ctx.run, env: ctx.env });
      (result.kind === 'failed' ? err : out)(`${result.message}\n${result.kind === 'failed' && result.output ? `${result.output}\n` : ''}`);
      return result.kind === 'failed' ? 1 : 0;
    }
    default:
      throw new TlsUsageError('use "tls status", "tls export-ca [--out FILE]", "tls trust" or "tls untrust"');
  }
}

export class TlsUsageError extends Error {}
