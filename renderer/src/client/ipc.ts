/**
 * The desktop transport: the preload's `window.companion` bridge. The main process
 * validates and runs each call (main/contract/invoke.ts), and joins raw outputs into one
 * string before they cross.
 */
import { routes } from '../contract/routes.gen';
import { downloadText } from '../lib/files';
import { CompanionError, unreachable } from './error';
import type { ClientEvent, CompanionClient, DomainEvent, ErrorData, OperationName, RawCall } from './types';

export interface CompanionBridge {
  invoke(name: OperationName, raw: RawCall): Promise<{ ok: true; value: unknown } | { ok: false; error: ErrorData }>;
  onEvent(listener: (event: DomainEvent) => void): () => void;
  platform: 'electron';
}

declare global {
  interface Window {
    /** Set by the desktop app's preload; absent in a browser. */
    companion?: CompanionBridge;
  }
}

export function createIpcClient(bridge: CompanionBridge): CompanionClient {
  const client: CompanionClient = {
    transport: 'electron',
    async call(name, input) {
      let answer: Awaited<ReturnType<CompanionBridge['invoke']>>;
      try {
        answer = await bridge.invoke(name, input as RawCall);
      } catch {
        throw unreachable();
      }
      if (!answer.ok) throw new CompanionError(answer.error);
      return answer.value as never;
    },
    async saveFile(name, input, fileName) {
      const text = await client.call(name, input);
      downloadText(fileName, text as string, routes[name].rawContentType);
    },
    subscribe(listener: (event: ClientEvent) => void) {
      // The bridge is there as long as the window is: always connected.
      listener({ type: 'live.connected' });
      return bridge.onEvent(listener);
    },
  };
  return client;
}
