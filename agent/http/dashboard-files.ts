// The dashboard's static files (plain HTML/CSS/JS in ./dashboard, no build step), read once and served from memory.
import { readFileSync } from 'node:fs';

export interface DashboardFile {
  url: string;
  contentType: string;
  body: string;
}

const FILES: [url: string, name: string, contentType: string][] = [
  ['/', 'index.html', 'text/html; charset=utf-8'],
  ['/dashboard.css', 'dashboard.css', 'text/css; charset=utf-8'],
  ['/dashboard.js', 'dashboard.js', 'text/javascript; charset=utf-8'],
];

export const DASHBOARD_FILES: readonly DashboardFile[] = FILES.map(([url, name, contentType]) => ({
  url,
  contentType,
  body: readFileSync(new URL(`./dashboard/${name}`, import.meta.url), 'utf8'),
}));
