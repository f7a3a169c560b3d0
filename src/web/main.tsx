/** Entry point of the browser app (built by Vite into dist/web). */
import { render } from 'preact';
import { App } from './app.js';
import './styles.css';

const root = document.getElementById('app')!;
// index.html's "Loading live timing…" goes: Preact keeps a container's children it does not
// reuse, and with the page's inlined snapshot the first render has no <p> to reuse it as.
root.textContent = '';
render(<App />, root);
