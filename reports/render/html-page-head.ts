import { escapeHtml } from './format.js';

/**
 * The opening every self-contained Gauntlet page shares (run report, capacity report): charset, viewport,
 * a Content-Security-Policy that lets nothing load from outside the file, the title and the base styles.
 * The caller continues inside the open <style> element with its own rules, then closes it and the head.
 */
export function htmlPageOpening(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<title>${escapeHtml(title)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 1rem 1.5rem; color: #111827; }
h1 { font-size: 1.4rem; margin: 0.5rem 0; }
h2 { font-size: 1.1rem; margin-top: 2rem; border-bottom: 1px solid #e5e7eb; padding-bottom: 0.25rem; }
`;
}
