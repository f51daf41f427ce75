import { readFileSync } from 'node:fs';

// The dashboard page (emulator/control/dashboard.html): read once, served as is by the control listener at `/`.
let page: string | null = null;

export function dashboardPage(): string {
  page ??= readFileSync(new URL('./dashboard.html', import.meta.url), 'utf8');
  return page;
}
