import { createContext, useContext } from 'react';
import type { CompanionClient } from '../client/types';

export const ClientContext = createContext<CompanionClient | null>(null);

export function useClient(): CompanionClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient needs a <ClientContext.Provider>');
  return client;
}
