/**
 * Trusting the companion's CA where the Web Connector runs. QBWC is a .NET program: it
 * checks certificates against the Windows certificate store. For the current user (no
 * administrator needed, and QBWC runs as that user) Windows' own `certutil -user` adds,
 * removes and checks a root; adding or removing one shows Windows' own confirmation
 * dialog, which the bookkeeper answers. Elsewhere nothing is run: the steps are printed.
 *
 * certutil is run by its full path under %SystemRoot% with fixed arguments and no shell.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program without a shell; tests pass a fake. */
export type CommandRunner = (file: string, args: readonly string[]) => Promise<CommandResult>;

export const runCommand: CommandRunner = (file, args) =>
  new Promise((resolve) => {
    execFile(file, [...args], { timeout: 5 * 60_000 }, (err, stdout, stderr) => {
      // An exit code is a number; a program that could not start has a string code (ENOENT).
      const exit = (err as { code?: unknown } | null)?.code;
      if (!err) resolve({ code: 0, stdout, stderr });
      else if (typeof exit === 'number') resolve({ code: exit, stdout, stderr });
      else resolve({ code: -1, stdout, stderr: `${stderr}${err.message}` });
    });
  });

/** Windows' certutil, by full path (not whatever "certutil" the PATH finds first). */
export function certutilPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.win32.join(env.SystemRoot ?? env.windir ?? 'C:\\Windows', 'System32', 'certutil.exe');
}

export interface TrustContext {
  platform: NodeJS.Platform;
  /** The CA certificate file (PEM) to add. */
  caFile: string;
  /** SHA-1 thumbprint of the CA certificate (hex), how certutil names it. */
  thumbprint: string;
  run?: CommandRunner;
  env?: NodeJS.ProcessEnv;
}

export type TrustOutcome =
  | { kind: 'done'; message: string }
  | { kind: 'failed'; message: string; output: string }
  | { kind: 'manual'; message: string };

/** The certutil invocation for each action (exported for tests and for the README). */
export function certutilArgs(action: 'trust' | 'untrust' | 'status', caFile: string, thumbprint: string): string[] {
  if (action === 'trust') return ['-user', '-addstore', 'Root', caFile];
  if (action === 'untrust') return ['-user', '-delstore', 'Root', thumbprint];
  return ['-user', '-verifystore', 'Root', thumbprint];
}

function manualSteps(platform: NodeJS.Platform, caFile: string, action: 'trust' | 'untrust'): string {
  const windows =
    action === 'trust'
      ? `Export the CA certificate with "qbwc-companion tls export-ca --out qbwc-companion-ca.crt" (or copy ${caFile}), ` +
        `copy it to the Windows PC where QuickBooks Web Connector runs, and there run (as the user who runs the Web Connector):\n` +
        `  certutil -user -addstore Root qbwc-companion-ca.crt\n` +
        `and answer Yes in Windows' security warning. (Or double-click the file > Install Certificate > Current User > "Trusted Root Certification Authorities".)`
      : `On the Windows PC where QuickBooks Web Connector runs: certutil -user -delstore Root <thumbprint> (see "qbwc-companion tls status").`;
  const local =
    platform === 'darwin'
      ? action === 'trust'
        ? `To trust it on this Mac too (not needed for the Web Connector): security add-trusted-cert -r trustRoot -k ~/Library/Keychains/login.keychain-db "${caFile}"`
        : `To remove it from this Mac: security delete-certificate -c "QBWC Companion local CA" ~/Library/Keychains/login.keychain-db`
      : action === 'trust'
        ? `To trust it on this Linux computer too (not needed for the Web Connector): sudo cp "${caFile}" /usr/local/share/ca-certificates/qbwc-companion-ca.crt && sudo update-ca-certificates`
        : `To remove it from this Linux computer: sudo rm /usr/local/share/ca-certificates/qbwc-companion-ca.crt && sudo update-ca-certificates --fresh`;
  return `${windows}\n${local}`;
}

export async function trustCa(ctx: TrustContext): Promise<TrustOutcome> {
  if (ctx.platform !== 'win32') {
    return { kind: 'manual', message: `This is not Windows: nothing was installed here.\n${manualSteps(ctx.platform, ctx.caFile, 'trust')}` };
  }
  const result = await (ctx.run ?? runCommand)(certutilPath(ctx.env), certutilArgs('trust', ctx.caFile, ctx.thumbprint));
  if (result.code === 0) {
    return { kind: 'done', message: `The companion's CA (thumbprint ${ctx.thumbprint}) is now trusted by Windows for this user: QuickBooks Web Connector accepts the companion's https address.` };
  }
  return {
    kind: 'failed',
    message:
      `Windows did not add the CA certificate (certutil exit code ${result.code}; answering No in Windows' warning cancels it). ` +
      `Run "qbwc-companion tls trust" again and answer Yes, or add ${ctx.caFile} by hand (double-click it > Install Certificate > Current User > Trusted Root Certification Authorities).`,
    output: `${result.stdout}${result.stderr}`.trim(),
  };
}

export async function untrustCa(ctx: TrustContext): Promise<TrustOutcome> {
  if (ctx.platform !== 'win32') {
    return { kind: 'manual', message: `This is not Windows: nothing was removed here.\n${manualSteps(ctx.platform, ctx.caFile, 'untrust')}` };
  }
  const result = await (ctx.run ?? runCommand)(certutilPath(ctx.env), certutilArgs('untrust', ctx.caFile, ctx.thumbprint));
  if (result.code === 0) return { kind: 'done', message: `The companion's CA (thumbprint ${ctx.thumbprint}) is no longer trusted by Windows for this user.` };
  return {
    kind: 'failed',
    message: `Windows did not remove the CA certificate (certutil exit code ${result.code}): it may not have been installed, or the removal was cancelled.`,
    output: `${result.stdout}${result.stderr}`.trim(),
  };
}

/** Whether the CA is in the current user's Root store: true/false on Windows, null where it can't be checked. */
export async function trustStatus(ctx: TrustContext): Promise<{ installed: boolean | null; message: string }> {
  if (ctx.platform !== 'win32') {
    return { installed: null, message: 'Not checked: this is not Windows. The Web Connector\'s PC must trust the CA (see "qbwc-companion tls trust").' };
  }
  const result = await (ctx.run ?? runCommand)(certutilPath(ctx.env), certutilArgs('status', ctx.caFile, ctx.thumbprint));
  return result.code === 0
    ? { installed: true, message: 'Trusted by Windows for this user (Current User > Trusted Root Certification Authorities).' }
    : { installed: false, message: 'Not in this user\'s Trusted Root Certification Authorities: run "qbwc-companion tls trust".' };
}
