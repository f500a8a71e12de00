// The renderer's entry: picks the back end (desktop bridge or web console), then mounts the
// shell inside Mantine's theme and the query cache.

import '@mantine/core/styles.css';
import { MantineProvider } from '@mantine/core';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AdminApiProvider } from './api/AdminApiProvider.js';
import { chooseAdminApi } from './api/choose-admin-api.js';
import { App } from './app/App.js';
import { cssVariablesResolver, theme } from './app/theme.js';

const { api, shell } = chooseAdminApi(window);
const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');

createRoot(root).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="auto">
      <AdminApiProvider api={api} shell={shell}>
        <App />
      </AdminApiProvider>
    </MantineProvider>
  </StrictMode>,
);
