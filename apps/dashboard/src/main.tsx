import { render } from 'preact';
import { App } from './app';
import { interceptLinks } from './router';
import { startSession } from './session';
import './styles.css';

interceptLinks(document);
render(<App />, document.getElementById('app') as HTMLElement);
void startSession();
