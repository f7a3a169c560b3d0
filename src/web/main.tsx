/** Entry point of the browser app (built by Vite into dist/web). */
import { render } from 'preact';
import { App } from './app.js';
import { captureFirstView, firstViewShown, keepServerTable, restoreFirstView } from './lib/boot.js';
import { FIRST_ROW_TIMING } from './timing/markup.js';
import './styles.css';

const root = document.getElementById('app')!;
// The server's first view (server/web.ts) stays until it is on screen; then the app takes over:
// the view goes, but its table is kept for the timing screen to adopt (table.ts), and
// index.html's "Loading live timing…" goes too (Preact keeps a container's children it does not
// reuse). The takeover is one task: no frame is painted in between. What the viewer did in the
// view stays done: the keyboard focus, and the inputs changed (the delay typed, the slider dragged).
void firstViewShown(root, FIRST_ROW_TIMING).then(() => {
  const viewed = captureFirstView(root);
  keepServerTable(root);
  root.textContent = '';
  render(<App />, root);
  restoreFirstView(root, viewed);
});
