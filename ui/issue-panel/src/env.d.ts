// Vite's client types: CSS imports and import.meta.env in the panel's code.
/// <reference types="vite/client" />
