/**
 * Builds the web console into web/dist (served by src/server/routes/console.ts) and runs its unit tests.
 * `npx vite build --config web/vite.config.ts` builds; `npx vitest run --config web/vite.config.ts` tests;
 * `npx vite --config web/vite.config.ts` serves it with the API proxied to a local `npm start` (port 3000).
 */
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

const webDirectory = new URL(".", import.meta.url).pathname;
// `npm start` listens here by default.
const apiTarget = "http://127.0.0.1:3000";

export default defineConfig({
  root: webDirectory,
  base: "/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // No source maps in the build the server publishes (the console's sources stay private); `vite` (dev) keeps them.
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: { "/v1": { target: apiTarget, changeOrigin: false }, "/health": apiTarget },
  },
  test: {
    root: webDirectory,
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    environment: "node",
    reporters: ["default"],
  },
});
