// First: zod must be told not to probe for eval before any schema (the contract's) is built.
import '../src-preload/zodConfig';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, type AppSession } from './App';
import { pickBridge } from './bridge';
import { connectStore, createAppStore } from './store';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('src-renderer/index.html: the <div id="root"> is missing');

function startSession(): AppSession {
  const choice = pickBridge(window);
  if (!choice.available) return { kind: 'unavailable', reason: choice.reason };
  const store = createAppStore(choice.api);
  // Data from the core is wired into the store once, here at start-up, not from components.
  connectStore(store, choice.api, choice.connection);
  return { kind: 'ready', bridge: choice.api, store };
}

createRoot(container).render(
  <StrictMode>
    <App session={startSession()} />
  </StrictMode>,
);
