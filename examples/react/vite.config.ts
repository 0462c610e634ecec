import { defineConfig } from 'vite';

// Vite's own transform handles TSX (React's automatic JSX runtime); no plugin is needed for a build.
// 'axios-steady' resolves through this package's own exports (dist/esm), as a user's bundler takes it.
export default defineConfig({ root: import.meta.dirname, build: { outDir: 'dist', emptyOutDir: true } });
