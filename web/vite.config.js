// Builds the profile form into web/dist with fixed file names, so the committed bundle is
// reproducible (checked by e2e/form.e2e.mjs) and `emailprof serve` embeds it with include_bytes!.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const schemaPath = fileURLToPath(new URL('../schemas/email-profile.schema.json', import.meta.url));

/**
 * The page must also work opened from disk (file://), where Chromium refuses module scripts and
 * `crossorigin` fetches. So the bundle is one classic IIFE script loaded with `defer`, and the
 * profile schema ships beside it as a classic script (`assets/schema.js`) that sets a global: the
 * fallback used when no server answers `schema.json`.
 */
function staticFilePage() {
  return {
    name: 'emailprof-static-file-page',
    generateBundle() {
      const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
      this.emitFile({
        type: 'asset',
        fileName: 'assets/schema.js',
        source: `window.EMAILPROF_SCHEMA = ${JSON.stringify(schema)};\n`,
      });
    },
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        return html
          .replace(
            /<script type="module" crossorigin src="([^"]+)"><\/script>/,
            '<script defer src="./assets/schema.js"></script>\n    <script defer src="$1"></script>',
          )
          .replace(/ crossorigin(?=[ >])/g, '');
      },
    },
  };
}

export default defineConfig({
  base: './',
  publicDir: false,
  plugins: [staticFilePage()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    modulePreload: false,
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1024,
    rollupOptions: {
      // RJSF's `'use client'` directives mean nothing in a classic script.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
      output: {
        format: 'iife',
        entryFileNames: 'assets/app.js',
        chunkFileNames: 'assets/[name].js',
        assetFileNames: 'assets/[name][extname]',
      },
    },
  },
});
