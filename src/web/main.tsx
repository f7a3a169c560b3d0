/** Entry point of the browser app (built by Vite into dist/web). */
import { render } from 'preact';
import { App } from './app.js';
import './styles.css';

render(<App />, document.getElementById('app')!);
