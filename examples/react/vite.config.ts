import { defineConfig } from 'vite';

// Vite's own transform handles TSX (React's automatic JSX runtime); no plugin is needed for a build.
// The library is imported from its source, as a user's bundler would take it from the package.
export default defineConfig({ root: import.meta.dirname, build: { outDir: 'dist', emptyOutDir: true } });
