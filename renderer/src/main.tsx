import { FluentProvider, webDarkTheme, webLightTheme } from '@fluentui/react-components';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, useState, useSyncExternalStore } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { CompanionError, createClient } from './client';
import { ClientContext } from './data/client-context';
import { SignInNeededPage } from './pages/SignInNeededPage';

const dark = window.matchMedia('(prefers-color-scheme: dark)');
const useDarkMode = () =>
  useSyncExternalStore(
    (onChange) => (dark.addEventListener('change', onChange), () => dark.removeEventListener('change', onChange)),
    () => dark.matches,
  );

const client = createClient();

function Root() {
  const [signInNeeded, setSignInNeeded] = useState(false);
  const [queryClient] = useState(() => {
    // Browser mode: a session that expired (or a page opened without the sign-in link) gets 401.
    const onError = (error: unknown) => {
      if (error instanceof CompanionError && error.status === 401) setSignInNeeded(true);
    };
    return new QueryClient({
      queryCache: new QueryCache({ onError }),
      mutationCache: new MutationCache({ onError }),
      defaultOptions: {
        queries: {
          staleTime: 10_000,
          // Only an unreachable or failing companion is worth asking again; a 4xx will not change.
          retry: (count, error) => count < 2 && error instanceof CompanionError && (error.status === 0 || error.status >= 500),
        },
      },
    });
  });
  const theme = useDarkMode() ? webDarkTheme : webLightTheme;
  return (
    <FluentProvider theme={theme}>
      {signInNeeded ? (
        <SignInNeededPage />
      ) : (
        <ClientContext.Provider value={client}>
          <QueryClientProvider client={queryClient}>
            <App />
          </QueryClientProvider>
        </ClientContext.Provider>
      )}
    </FluentProvider>
  );
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
