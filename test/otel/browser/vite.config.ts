import { defineConfig } from 'vite';

// The telemetry test page, bundled as a web app is: 'axios-steady' through this package's own exports (dist/esm).
export default defineConfig({ root: import.meta.dirname, build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' } });
