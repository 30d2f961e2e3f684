import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { pickBridge } from './bridge';
import { AppStoreContext, createAppStore } from './store';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('src-renderer/index.html: the <div id="root"> is missing');

const store = createAppStore(pickBridge(window));
// Data from main is wired into the store once, here at start-up, not from components.
void store.getState().refreshStatus();

createRoot(container).render(
  <StrictMode>
    <AppStoreContext value={store}>
      <App />
    </AppStoreContext>
  </StrictMode>,
);
