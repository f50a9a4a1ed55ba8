/// <reference types="vite/client" />
// Vite's client types for the renderer: CSS and asset imports, import.meta.env, import.meta.hot.
