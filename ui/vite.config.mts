// Builds the issue panel (Custom UI) into static/issue-panel, the resource manifest.yml deploys.
import path from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  root: path.resolve(import.meta.dirname, 'issue-panel'),
  base: './',
  build: {
    outDir: path.resolve(import.meta.dirname, '../static/issue-panel'),
    emptyOutDir: true,
  },
});
